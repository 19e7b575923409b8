/** x · 2^exponent without overflowing the power of two on the way (Math.pow(2, 1100) is Infinity). */
export function ldexp(x: number, exponent: number): number {
  let e = exponent;
  let y = x;
  while (e > 1000) {
    y *= TWO_POW_1000;
    e -= 1000;
  }
  while (e < -1000) {
    y *= TWO_POW_MINUS_1000;
    e += 1000;
  }
  return y * 2 ** e;
}

const TWO_POW_1000 = 2 ** 1000;
const TWO_POW_MINUS_1000 = 2 ** -1000;
