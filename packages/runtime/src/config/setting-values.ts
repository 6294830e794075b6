import { type Guid, InvalidConfiguration, parseGuid } from '@dolittle-ts/fundamentals';
import type { RuntimeConfig } from './runtime-config.js';
import { type RuntimeFlags, type RuntimeSettingName, runtimeSetting } from './runtime-settings.js';

/**
 * Reading one setting from the flags, then the environment, and parsing it. Every problem is an InvalidConfiguration
 * whose "file" is the flag or variable the value came from, so the message says exactly what to fix.
 */

/** A value and where it came from: a flag, a variable, a file and key inside it, or a default. */
export interface Sourced<T> {
  readonly value: T;
  readonly file: string;
  readonly key: string;
}

export type Parsed<T> = { readonly value: T } | { readonly problem: string };
export type Parser<T> = (raw: string) => Parsed<T>;

export type SettingReader = <T>(name: RuntimeSettingName, parse: Parser<T>) => Sourced<T> | undefined;

export function createSettingReader(flags: RuntimeFlags, env: NodeJS.ProcessEnv): SettingReader {
  return <T>(name: RuntimeSettingName, parse: Parser<T>) => {
    const setting = runtimeSetting(name);
    const flag = flags[name];
    let raw: string;
    let file: string;
    if (flag !== undefined) {
      raw = typeof flag === 'boolean' ? String(flag) : flag;
      file = setting.flag;
    } else {
      const variable = env[setting.env];
      // An empty variable is how shells and compose files say "not set".
      if (variable === undefined || variable === '') return undefined;
      raw = variable;
      file = setting.env;
    }
    const parsed = parse(raw);
    if ('problem' in parsed) throw new InvalidConfiguration(file, '', parsed.problem);
    return { value: parsed.value, file, key: '' };
  };
}

export function text(raw: string): Parsed<string> {
  return raw.trim() === '' ? { problem: 'must not be empty' } : { value: raw };
}

export function portNumber(raw: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    return { problem: `not a port number (0..65535; 0 lets the OS choose), got ${JSON.stringify(raw)}` };
  }
  return { value: Number(raw) };
}

export function metricsPortNumber(raw: string): Parsed<number | 'off'> {
  if (raw.toLowerCase() === 'off') return { value: 'off' };
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    return { problem: `not a port number (0..65535; 0 lets the OS choose) or "off", got ${JSON.stringify(raw)}` };
  }
  return { value: Number(raw) };
}

export function guid(raw: string): Parsed<Guid> {
  const value = parseGuid(raw);
  return value === undefined ? { problem: `not a GUID, got ${JSON.stringify(raw)}` } : { value };
}

/** A host name, an IPv4 address or an IPv6 address (bare or in brackets). */
export function host(raw: string): Parsed<string> {
  const ok = /^[A-Za-z0-9._-]+$/.test(raw) || /^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%\w+)?\]?$/.test(raw);
  return ok ? { value: raw } : { problem: `not a host name or IP address, got ${JSON.stringify(raw)}` };
}

export function bool(raw: string): Parsed<boolean> {
  switch (raw.toLowerCase()) {
    case 'true':
    case '1':
      return { value: true };
    case 'false':
    case '0':
      return { value: false };
    default:
      return { problem: `expected true or false, got ${JSON.stringify(raw)}` };
  }
}

/** gRPC frames carry the length in 32 bits; the cap keeps it a positive int32. */
export const maxMessageBytesLimit = 2 ** 31 - 1;

export function messageBytes(raw: string): Parsed<number> {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > maxMessageBytesLimit) {
    return { problem: `not a size in bytes (1..${maxMessageBytesLimit}), got ${JSON.stringify(raw)}` };
  }
  return { value: Number(raw) };
}

export function partitionsInFlight(raw: string): Parsed<number> {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1024) {
    return { problem: `not a number of partitions (1..1024), got ${JSON.stringify(raw)}` };
  }
  return { value: Number(raw) };
}

const logLevels = ['trace', 'debug', 'info', 'warn', 'error'] as const satisfies readonly RuntimeConfig['logLevel'][];

export function logLevel(raw: string): Parsed<RuntimeConfig['logLevel']> {
  const level = logLevels.find((l) => l === raw.toLowerCase());
  return level === undefined
    ? { problem: `expected ${logLevels.join(', ')}, got ${JSON.stringify(raw)}` }
    : { value: level };
}
