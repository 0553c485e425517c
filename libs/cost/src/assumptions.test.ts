import { ASSUMPTIONS, DEFAULT_ASSUMPTIONS, parseAssumptions } from './assumptions';
import { CostError } from './errors';

describe('assumptions', () => {
  test('every assumption has a unit, a description and the reason for its default', () => {
    for (const [name, d] of Object.entries(ASSUMPTIONS)) {
      expect({ name, ok: Boolean(d.unit && d.description && d.basis) && d.default >= 0 }).toEqual({ name, ok: true });
    }
  });

  test('--assume overrides a default and leaves the others', () => {
    const a = parseAssumptions(['glueJobMinutes=6', ' runsPerMonth=60 ']);
    expect(a.glueJobMinutes).toBe(6);
    expect(a.runsPerMonth).toBe(60);
    expect(a.crawlerDpus).toBe(DEFAULT_ASSUMPTIONS.crawlerDpus);
    expect(parseAssumptions([])).toEqual(DEFAULT_ASSUMPTIONS);
  });

  test.each([
    ['glueJobMinutes', '--assume takes name=value, got "glueJobMinutes"'],
    ['nope=1', 'unknown assumption "nope"; names: '],
    ['glueJobMinutes=-1', '--assume glueJobMinutes must be a number >= 0 (minutes), got "-1"'],
    ['runsPerMonth=2.5', '--assume runsPerMonth must be a whole number >= 0 (runs/month), got "2.5"'],
    ['partitionRows=lots', '--assume partitionRows must be a whole number >= 0 (rows), got "lots"'],
  ])('%s is refused in one line', (arg, message) => {
    expect(() => parseAssumptions([arg])).toThrow(CostError);
    expect(() => parseAssumptions([arg])).toThrow(message);
  });
});
