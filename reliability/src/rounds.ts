/**
 * How many rounds a check runs: its short-mode default (what `npm test` runs), or the long-run count.
 */
export function reliabilityRounds(shortModeDefault: number, options: { readonly perLongRound?: number } = {}): number {
  return longRunRounds(options) ?? shortModeDefault;
}

/**
 * RELIABILITY_ROUNDS × `perLongRound` (1 unless a check's rounds are much shorter than a crash round), or
 * undefined when no long run was asked for. A value that is not a positive integer is refused rather than read as
 * a default, so a typo cannot turn a long run into a short one unnoticed.
 */
export function longRunRounds(options: { readonly perLongRound?: number } = {}): number | undefined {
  const text = process.env.RELIABILITY_ROUNDS;
  if (text === undefined || text.trim() === '') return undefined;
  const rounds = Number(text);
  if (!Number.isSafeInteger(rounds) || rounds < 1) {
    throw new Error(
      `RELIABILITY_ROUNDS must be a positive integer (rounds per check and store), was ${JSON.stringify(text)}`,
    );
  }
  return rounds * (options.perLongRound ?? 1);
}
