/**
 * What the simulated model answers on each attempt, and what the simulated
 * sandbox reports when it runs that answer: a Roman-numeral converter that
 * misses the subtractive forms at first, half-fixes them, then gets them right.
 */
import type { ExecutionSpec } from '../../../test/fakes/e2b-server';

export const TASK =
  'Write `to_roman(n)` converting an integer from 1 to 3999 to a Roman numeral, with tests for 1, 4, 9, 14, 40, 90, 400, 1994 and 3999.';

const TESTS = `
assert to_roman(1) == "I"
assert to_roman(4) == "IV", to_roman(4)
assert to_roman(9) == "IX", to_roman(9)
assert to_roman(14) == "XIV", to_roman(14)
assert to_roman(40) == "XL", to_roman(40)
assert to_roman(90) == "XC", to_roman(90)
assert to_roman(400) == "CD", to_roman(400)
assert to_roman(1994) == "MCMXCIV", to_roman(1994)
assert to_roman(3999) == "MMMCMXCIX", to_roman(3999)
print("all tests passed")`;

const block = (impl: string) => `\`\`\`python\n${impl.trim()}\n${TESTS.trim()}\n\`\`\``;

const traceback = (line: number, value: string) =>
  `Traceback (most recent call last):\n  Cell In[1], line ${line}\nAssertionError: ${value}`;

export interface ScriptStep {
  reply: string;
  verdict: ExecutionSpec;
}

export const SCRIPT: readonly ScriptStep[] = [
  {
    reply: block(`
def to_roman(n):
    numerals = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]
    out = ""
    for value, symbol in numerals:
        while n >= value:
            out += symbol
            n -= value
    return out`),
    verdict: { error: { name: 'AssertionError', value: 'IIII', traceback: traceback(10, 'IIII') } },
  },
  {
    reply: block(`
def to_roman(n):
    numerals = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, symbol in numerals:
        while n >= value:
            out += symbol
            n -= value
    return out`),
    verdict: { error: { name: 'AssertionError', value: 'XXXX', traceback: traceback(12, 'XXXX') } },
  },
  {
    reply: block(`
def to_roman(n):
    if not 1 <= n <= 3999:
        raise ValueError("to_roman takes 1..3999")
    numerals = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]
    out = ""
    for value, symbol in numerals:
        while n >= value:
            out += symbol
            n -= value
    return out`),
    verdict: { stdout: ['all tests passed\n'] },
  },
];
