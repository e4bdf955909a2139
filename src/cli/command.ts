// The shape of an operator command: one module per noun-verb, parsed with node:util parseArgs.
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from '../app/cli-context.js';

export interface Command {
  /** "accounts create" */
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments allowed (names shown in usage). */
  positionals?: number;
  /** For commands that only talk to a running server (the dev tools): run without opening the database. */
  standalone?: (
    config: CliContext['config'],
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ) => Promise<unknown>;
  /** Whether the command needs the database (all but help). */
  run(ctx: CliContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<unknown>;
}

/** A mistake in what the operator typed: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** A refusal of a well-formed command (not found, already exists, policy): one line, exit code 1. */
export class CommandError extends Error {}
