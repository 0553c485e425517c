import { ProgressReporter } from './progress';

function clock() {
  let t = 0;
  return { now: () => t, at: (ms: number) => (t = ms) };
}

describe('progress display', () => {
  test('in a log: nothing in the first second, then one line every 5 s however many updates', () => {
    const lines: string[] = [];
    const c = clock();
    const p = new ProgressReporter({ out: () => undefined, err: (l) => lines.push(l) }, { now: c.now });
    for (let ms = 0; ms <= 12_000; ms += 10) {
      c.at(ms);
      p.update(`at ${ms}`, ms < 6_000 ? 'inspect' : 'upload');
    }
    expect(lines).toEqual(['at 1000', 'at 6000', 'at 11000']);
  });

  test('on a terminal: redrawn at most every 100 ms, at once on a new phase, cleared at the end', () => {
    const drawn: string[] = [];
    const c = clock();
    const p = new ProgressReporter({ out: () => undefined, err: () => undefined, progress: (l) => drawn.push(l) }, { now: c.now });
    p.update('a', 'inspect');
    c.at(50);
    p.update('b', 'inspect');
    c.at(60);
    p.update('c', 'upload');
    c.at(170);
    p.update('d', 'upload');
    p.done();
    expect(drawn).toEqual(['a', 'c', 'd', '']);
  });

  test('quiet (with --json) writes nothing to a log', () => {
    const lines: string[] = [];
    const c = clock();
    const p = new ProgressReporter({ out: () => undefined, err: (l) => lines.push(l) }, { now: c.now, quiet: true });
    c.at(10_000);
    p.update('x');
    expect(lines).toEqual([]);
  });
});
