/** Behaviour files: what they say, and errors that name the line or the key. */
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseBehaviour } from '../../src/pathways/behaviour.ts';

describe('behaviour files', () => {
  const b = parseBehaviour(`model: Volta
firmware:
  V130:
    accepts: [V120]
    from:
      V110: { brick: [supply control] }
    otherwise: refuse
  V140:
    accepts: []
    otherwise: { degrade: [display] }
`);

  it('says what a firmware does from each running entry', () => {
    expect(outcomeOf(b, 'V130', 'V120')).toEqual({ kind: 'accept' });
    expect(outcomeOf(b, 'V130', 'V110')).toEqual({ kind: 'brick', functions: ['supply control'] });
    expect(outcomeOf(b, 'V130', 'V100')).toEqual({ kind: 'refuse' });
    expect(outcomeOf(b, 'V140', 'V100')).toEqual({ kind: 'degrade', functions: ['display'] });
    expect(outcomeOf(b, 'V999', 'V100')).toBeUndefined();
  });

  it('names the key or line of every mistake', () => {
    const bad: [string, RegExp][] = [
      ['model: V\nfirmware:\n  A:\n    otherwise: explode\n', /^firmware\.A\.otherwise: expected refuse/],
      ['model: V\nfirmware:\n  A:\n    accepts: [B]\n', /^firmware\.A\.otherwise: missing/],
      [
        'model: V\nfirmware:\n  A:\n    otherwise: { brick: [] }\n',
        /^firmware\.A\.otherwise\.brick: expected a non-empty list/,
      ],
      [
        'model: V\nfirmware:\n  A:\n    acepts: [B]\n    otherwise: refuse\n',
        /^firmware\.A\.acepts: unknown key/,
      ],
      [
        'model: V\nfirmware:\n  A:\n    accepts: [B]\n    from: { B: refuse }\n    otherwise: refuse\n',
        /^firmware\.A\.from\.B: B is also in accepts/,
      ],
      ['model: V\nfirmware: {}\nfirmware: {}\n', /^line 3, column 1: Map keys must be unique/],
      ['firmware: {}\n', /^model: expected the model name/],
    ];
    for (const [text, message] of bad) expect(() => parseBehaviour(text), text).toThrow(message);
  });

  it('keeps entry IDs as written, even when YAML would read them as numbers', () => {
    const numeric = parseBehaviour(
      'model: V\nfirmware:\n  0110:\n    accepts: [0100, 1.10]\n    otherwise: refuse\n',
    );
    expect(outcomeOf(numeric, '0110', '0100')).toEqual({ kind: 'accept' });
    expect(outcomeOf(numeric, '0110', '1.10')).toEqual({ kind: 'accept' });
  });
});
