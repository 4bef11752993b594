/**
 * Calls a minute: now (the last 60 seconds, one bucket a second) and over the last hour (one bucket
 * a minute, for the sparkline). Fixed rings stamped with the second or minute they count, so an
 * idle stretch needs no timer: a stale bucket reads as zero. Time is passed in.
 */

const SECONDS = 60;
export const SPARK_MINUTES = 60;

export class CallRate {
  private readonly perSecond = new Float64Array(SECONDS);
  private readonly secondOf = new Float64Array(SECONDS).fill(NaN);
  private readonly perMinute = new Float64Array(SPARK_MINUTES);
  private readonly minuteOf = new Float64Array(SPARK_MINUTES).fill(NaN);

  add(at: number, n = 1): void {
    const second = Math.floor(at / 1000);
    const s = mod(second, SECONDS);
    if (this.secondOf[s] !== second) {
      this.secondOf[s] = second;
      this.perSecond[s] = 0;
    }
    this.perSecond[s]! += n;
    const minute = Math.floor(second / 60);
    const m = mod(minute, SPARK_MINUTES);
    if (this.minuteOf[m] !== minute) {
      this.minuteOf[m] = minute;
      this.perMinute[m] = 0;
    }
    this.perMinute[m]! += n;
  }

  /** Calls in the 60 seconds up to `now` (its own second included). */
  lastMinute(now: number): number {
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < SECONDS; i++) {
      const stamp = this.secondOf[i]!;
      if (stamp > second - SECONDS && stamp <= second) sum += this.perSecond[i]!;
    }
    return sum;
  }

  /** Calls in each of the last SPARK_MINUTES minutes, the oldest first, the current minute last. */
  minutes(now: number): number[] {
    const minute = Math.floor(now / 60_000);
    const out: number[] = [];
    for (let k = SPARK_MINUTES - 1; k >= 0; k--) {
      const want = minute - k;
      const m = mod(want, SPARK_MINUTES);
      out.push(this.minuteOf[m] === want ? this.perMinute[m]! : 0);
    }
    return out;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
