import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CallerRateLimiter } from "./rateLimit";

describe("per-caller rate limit (token bucket)", () => {
  it("admits a burst, then one request per 1/rate seconds, with the wait to retry", () => {
    let now = 0;
    const limiter = new CallerRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.take("a")),
      [0, 0, 0],
    );
    assert.equal(limiter.take("a"), 1); // empty: half a second to the next one, rounded up to whole seconds
    now += 500;
    assert.equal(limiter.take("a"), 0);
    assert.equal(limiter.take("a"), 1);
  });

  it("keeps each caller's bucket apart", () => {
    const now = 0;
    const limiter = new CallerRateLimiter({ perSecond: 1, burst: 1 }, () => now);
    assert.equal(limiter.take("a"), 0);
    assert.ok(limiter.take("a") > 0);
    assert.equal(limiter.take("b"), 0);
  });

  it("says how long to wait when the rate is slow", () => {
    const limiter = new CallerRateLimiter({ perSecond: 0.25, burst: 1 }, () => 0);
    limiter.take("a");
    assert.equal(limiter.take("a"), 4);
  });
});
