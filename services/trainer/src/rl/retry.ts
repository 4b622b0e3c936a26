// The RL loop's calls to the policy and reward services are safe to repeat (a seeded Generate gives
// the same rollouts; ScoreGroup is idempotent by request id), so a replica restarting or a
// dependency the reward service reports UNAVAILABLE costs a short wait, not the run.
import { ClientError, Status } from "nice-grpc";

export async function retryUnavailable<T>(call: () => Promise<T>, { attempts = 4, firstDelayMs = 500 } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ClientError) || err.code !== Status.UNAVAILABLE || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}
