import { TandemError, quote } from '../../errors.js';
import { adwin, type AdwinParams } from './adwin.js';
import { ddm, type DdmParams } from './ddm.js';
import type { DetectorKind, DriftDetector } from './detector.js';
import { pageHinkley, type PageHinkleyParams } from './page-hinkley.js';

export type DetectorSpec =
  | ({ readonly kind: 'adwin' } & AdwinParams)
  | ({ readonly kind: 'page-hinkley' } & PageHinkleyParams)
  | ({ readonly kind: 'ddm' } & DdmParams);

export const DETECTOR_KINDS = ['adwin', 'page-hinkley', 'ddm'] as const satisfies readonly DetectorKind[];

/**
 * A detector from a plain spec such as `{ kind: 'adwin', delta: 0.01 }` (what a config file
 * holds). Unknown kinds, unknown parameters and out-of-range values throw
 * TANDEM_INVALID_PARAMETER naming the parameter and quoting the value.
 */
export function createDetector(spec: DetectorSpec): DriftDetector {
  if (typeof spec !== 'object' || spec === null) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `drift detector spec must be an object such as { kind: 'adwin' }, got ${quote(spec)}`);
  }
  switch (spec.kind) {
    case 'adwin':
      return adwin(withoutKind(spec));
    case 'page-hinkley':
      return pageHinkley(withoutKind(spec));
    case 'ddm':
      return ddm(withoutKind(spec));
    default: {
      const kind: unknown = (spec as { kind?: unknown }).kind;
      throw new TandemError(
        'TANDEM_INVALID_PARAMETER',
        `unknown drift detector kind ${quote(kind)}; known: ${DETECTOR_KINDS.map((k) => `'${k}'`).join(', ')}`,
        { details: { parameter: 'kind', value: kind } },
      );
    }
  }
}

function withoutKind<T extends { readonly kind: string }>(spec: T): Omit<T, 'kind'> {
  const { kind: _kind, ...params } = spec;
  return params;
}
