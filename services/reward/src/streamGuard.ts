// StreamGroup calls that open and then say nothing hold a --max-in-flight slot each for as long as
// the client likes: eight of them, and a replica with eight slots refuses everyone else. So:
//  - a stream must send its first message (the group) within --stream-first-message-ms (10 s:
//    the group is known when the stream opens), and each next one within --stream-idle-ms (120 s:
//    a response's generation; rollouts of one prompt finish minutes apart in long reasoning);
//    a silent stream is ended with DEADLINE_EXCEEDED saying which limit it passed;
//  - one connection may hold at most --max-streams-per-connection open streams; beyond that a new
//    one is refused at once (RESOURCE_EXHAUSTED), so one client cannot take every slot.
// A connection is told by its peer address (host and port: one per TCP connection).
import { DeadlineExceededError, ResourceExhaustedError } from "@sketchvl/errors";

export interface StreamLimits {
  streamFirstMessageMs: number;
  streamIdleMs: number;
  maxStreamsPerConnection: number;
}

export class StreamGuard {
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: StreamLimits) {}

  /** Takes one of the connection's stream slots; the returned function gives it back. */
  admit(peer: string): () => void {
    const held = this.open.get(peer) ?? 0;
    if (held >= this.limits.maxStreamsPerConnection) {
      throw new ResourceExhaustedError(
        `this connection (${peer}) already has ${held} StreamGroup calls open (--max-streams-per-connection ${this.limits.maxStreamsPerConnection}); finish one first`,
      );
    }
    this.open.set(peer, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(peer) ?? 1) - 1;
      if (left > 0) this.open.set(peer, left);
      else this.open.delete(peer);
    };
  }

  /** The request messages, ended with DEADLINE_EXCEEDED when one takes longer than the limits allow. */
  async *messages<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    for (let index = 0; ; index++) {
      const [ms, option] = index === 0 ? [this.limits.streamFirstMessageMs, "--stream-first-message-ms"] : [this.limits.streamIdleMs, "--stream-idle-ms"];
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const what = index === 0 ? "its first message (the group)" : `message ${index} after message ${index - 1}`;
          reject(new DeadlineExceededError(`StreamGroup: no ${what} within ${ms} ms (${option}); the stream is ended`, "STREAM_IDLE"));
        }, ms);
      });
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([iterator.next(), silence]);
      } catch (err) {
        void iterator.return?.()?.catch(() => undefined); // not awaited: a pending next() would hold it
        throw err;
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  }
}
