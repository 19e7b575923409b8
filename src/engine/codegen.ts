/**
 * Helpers for the engine's generated kernels (sweep-fused.ts): source lines
 * indented as written code, and the moment arithmetic of moments.ts on a block held in local
 * variables, emitted operation for operation so generated and interpreted code give the same
 * bits.
 */

/** Source lines, indented by brace depth so the generated kernel reads like written code. */
export class Code {
  readonly #lines: string[] = [];
  #depth = 0;

  line(text: string): void {
    const opens = (text.match(/[{(]/g) ?? []).length;
    const closes = (text.match(/[})]/g) ?? []).length;
    if (text.startsWith('}')) this.#depth--;
    this.#lines.push(`${'  '.repeat(Math.max(0, this.#depth))}${text}`);
    if (text.startsWith('}')) this.#depth++;
    this.#depth += opens - closes;
  }

  toString(): string {
    return this.#lines.join('\n');
  }
}

/** A moment block (moments.ts: count, shift, Σy and its compensation, Σy² and its, mass) in locals. */
export class Block {
  readonly n: string;
  readonly k: string;
  readonly s1: string;
  readonly c1: string;
  readonly s2: string;
  readonly c2: string;
  readonly a2: string;

  constructor(prefix: string) {
    this.n = `${prefix}n`;
    this.k = `${prefix}k`;
    this.s1 = `${prefix}s1`;
    this.c1 = `${prefix}c1`;
    this.s2 = `${prefix}s2`;
    this.c2 = `${prefix}c2`;
    this.a2 = `${prefix}a2`;
  }

  #all(): string[] {
    return [this.n, this.k, this.s1, this.c1, this.s2, this.c2, this.a2];
  }

  /** The seven locals, in the order of the block's fields (moments.ts). */
  get names(): readonly string[] {
    return this.#all();
  }

  declare(): string {
    return this.#all().map((name) => `${name} = 0`).join(', ');
  }

  declareFrom(other: Block): string {
    const theirs = other.#all();
    return this.#all().map((name, i) => `${name} = ${theirs[i]}`).join(', ');
  }

  /** momentAdd: the shift is the first value; TwoSum-compensated sums of y and y². */
  add(code: Code, x: string): void {
    code.line(`if (${this.n} === 0) ${this.k} = ${x};`);
    code.line(`const y = ${x} - ${this.k};`);
    this.#twoSum(code, this.s1, this.c1, 'y', '+');
    code.line('const yy = y * y;');
    this.#twoSum(code, this.s2, this.c2, 'yy', '+');
    code.line(`${this.a2} += yy;`);
    code.line(`${this.n}++;`);
  }

  /** momentRemove: the last one out resets the block exactly. */
  remove(code: Code, x: string): void {
    code.line(`if (--${this.n} === 0) {`);
    code.line(`${this.k} = ${this.s1} = ${this.c1} = ${this.s2} = ${this.c2} = ${this.a2} = 0;`);
    code.line('} else {');
    code.line(`const y = ${this.k} - ${x};`);
    this.#twoSum(code, this.s1, this.c1, 'y', '+');
    code.line('const yy = y * y;');
    this.#twoSum(code, this.s2, this.c2, 'yy', '-');
    code.line(`${this.a2} += yy;`);
    code.line('}');
  }

  /** s ± b with its rounding error added to c (moments.ts twoSumError, b negated for '-'). */
  #twoSum(code: Code, s: string, c: string, b: string, sign: '+' | '-'): void {
    code.line('{');
    code.line(`const u = ${s} ${sign} ${b};`);
    code.line(`const bv = u - ${s};`);
    code.line(`${c} += ${s} - (u - bv) + (${sign === '+' ? b : `-${b}`} - bv);`);
    code.line(`${s} = u;`);
    code.line('}');
  }

  imprecise(): string {
    return `imprecise(${this.#all().join(', ')})`;
  }

  recompute(code: Code, values: string, from: string, to: string): void {
    code.line(`momentRecompute(scratch, 0, ${values}, ${from}, ${to}, -1);`);
    code.line(this.#all().map((name, i) => `${name} = scratch[${i}];`).join(' '));
  }
}
