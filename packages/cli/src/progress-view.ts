import { Progress } from './progress';

/**
 * Renders a run's phase progress (`onProgress(what, done, total)` of runTraining) on stderr, but only for
 * phases that last more than `afterMs` (2 s): short epochs stay one log line each, long ones (K = 50,
 * teacher passes) show samples/s and an ETA instead of a silence.
 */
export function progressView(afterMs = 2000): (what: string, done: number, total: number) => void {
  let what = '';
  let started = 0;
  let bar: Progress | undefined;
  let shown = false;
  return (w, done, total) => {
    const now = performance.now();
    if (w !== what) {
      if (shown) bar?.finish();
      // The bar exists from the phase's start (its rate and ETA count from there) but draws only after afterMs.
      bar = new Progress({ label: w, total });
      shown = false;
      what = w;
      started = now;
    }
    if (!shown && (now - started < afterMs || done >= total)) return;
    shown = true;
    bar!.tick(done - bar!.count);
    if (done >= total) {
      bar!.finish();
      what = '';
      shown = false;
    }
  };
}
