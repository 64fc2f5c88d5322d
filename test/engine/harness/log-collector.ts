import { inspect } from 'node:util';

import type { Logger, LogMetadata } from 'n8n-workflow';

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * Stands in for n8n's winston logger: keeps every line, at every level, so tests can read what
 * the engine and the node logged (and prove no secret is among it). Metadata is rendered in
 * depth, errors included, because a leak would hide in an error's request options.
 */
export class LogCollector implements Logger {
	readonly lines: string[] = [];

	error(message: string, metadata?: LogMetadata): void {
		this.write('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata): void {
		this.write('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata): void {
		this.write('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata): void {
		this.write('debug', message, metadata);
	}

	/** n8n's services ask for a scoped child logger; one shared sink is all the tests need. */
	scoped(): this {
		return this;
	}

	/** Hands back what was written since `mark` (a previous `lines.length`). */
	since(mark: number): string[] {
		return this.lines.slice(mark);
	}

	private write(level: Level, message: string, metadata?: LogMetadata): void {
		const meta =
			metadata && Object.keys(metadata).length > 0
				? ` ${inspect(metadata, { depth: 8, breakLength: Infinity, maxStringLength: 20_000 })}`
				: '';
		this.lines.push(`${level}: ${message}${meta}`);
	}
}
