import type { Prng } from './prng.ts';

/**
 * A token length distribution, as --input-tokens and --output-tokens give it: a fixed count
 * (`200`), a normal distribution (`1000:100`, mean and standard deviation) or a uniform range
 * (`100-300`, both ends included). Draws are whole numbers of at least `floor`.
 */
export type LengthSpec =
  | { readonly kind: 'fixed'; readonly n: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number };

/** The smallest value a draw can take (a normal draw is clipped there, never below). */
export function lengthMin(spec: LengthSpec, floor: number): number {
  switch (spec.kind) {
    case 'fixed':
      return Math.max(floor, spec.n);
    case 'uniform':
      return Math.max(floor, spec.min);
    case 'normal':
      return floor;
  }
}

/** The mean the spec asks for (before clipping). */
export function lengthMean(spec: LengthSpec): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.n;
    case 'uniform':
      return (spec.min + spec.max) / 2;
    case 'normal':
      return spec.mean;
  }
}

/** One length: uniform from `prng`, normal by Box-Muller (two uniforms a draw, so runs repeat). */
export function drawLength(spec: LengthSpec, prng: Prng, floor = 1): number {
  switch (spec.kind) {
    case 'fixed':
      return Math.max(floor, spec.n);
    case 'uniform':
      return Math.max(floor, spec.min + prng.int(spec.max - spec.min + 1));
    case 'normal': {
      const u = 1 - prng.next();
      const v = prng.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(floor, Math.round(spec.mean + z * spec.sd));
    }
  }
}

/** "200", "1000±100", "100-300": for the header and the report. */
export function describeLength(spec: LengthSpec): string {
  switch (spec.kind) {
    case 'fixed':
      return String(spec.n);
    case 'uniform':
      return `${spec.min}-${spec.max}`;
    case 'normal':
      return `${spec.mean}±${spec.sd}`;
  }
}
