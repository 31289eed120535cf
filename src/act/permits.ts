import type { CancelPermits } from '../model';

/** The invocation's allowance of Cancels, taken one by one and handed on in shares. */
export function cancelPermits(cap: number): CancelPermits {
  let left = cap;
  return {
    take() {
      if (left <= 0) return false;
      left -= 1;
      return true;
    },
    give(count) {
      const given = Math.min(Math.max(count, 0), left);
      left -= given;
      return given;
    },
    left: () => left,
  };
}
