/**
 * A running sum with Neumaier's compensation: a million additions of 0.0075
 * come to 7500, where plain addition drifts to 7499.99999991.
 */
export class Sum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/** Ten decimals: the compensated sums are exact to a unit in the last place, and this hides that, far below any price unit. */
export const round10 = (n: number): number => Math.round(n * 1e10) / 1e10;
