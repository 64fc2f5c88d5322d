import { dirname } from 'node:path';
import { Writable } from 'node:stream';

import { Container } from '@n8n/di';

type Level = 'error' | 'warn' | 'info' | 'debug';

/** One line as n8n's logger passed it to its transports. */
export interface LoggedRecord {
	level: string;
	message: string;
	meta: Record<string, unknown>;
}

export interface N8nLogOutput {
	/** What n8n's console would print, line by line, in its text format at this level. */
	printed: string[];
	/** The same lines with their metadata (what the JSON format, log files and log streaming get). */
	records: LoggedRecord[];
	/** Forgets what was written so far. */
	clear(): void;
}

interface WinstonLike {
	transports: { Stream: new (options: { stream: Writable; format?: unknown }) => unknown };
	format: { json(): unknown };
}

interface N8nLoggerLike {
	getInternalLogger(): { add(transport: unknown): void };
	pickConsoleTransportFormat(): unknown;
}

/** n8n-core's own copies of its dependencies (the logger and its winston). */
function requireFromCore<T>(name: string, from?: string): T {
	const base = from ?? dirname(require.resolve('n8n-core/package.json'));
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve(name, { paths: [base] })) as T;
}

function sink(into: (chunk: string) => void): Writable {
	return new Writable({
		write(chunk: Buffer, _encoding, done) {
			into(chunk.toString());
			done();
		},
	});
}

/**
 * Puts n8n's real logger (`Logger` of @n8n/backend-common, as `n8n start` and `n8n worker` build
 * it) in the harness's container in place of the recording stand-in, at `level`: the node's
 * `this.logger` and the engine's LoggerProxy then go through n8n's own level filter and console
 * format. The console transport's output is caught in memory instead of stdout; nothing else is
 * changed. Call after getEngine(), before the runs.
 */
export function useN8nLogger(level: Level): N8nLogOutput {
	const coreDir = dirname(require.resolve('n8n-core/package.json'));
	const backendCommonDir = dirname(
		require.resolve('@n8n/backend-common/package.json', { paths: [coreDir] }),
	);
	const { Logger } = requireFromCore<{
		Logger: new (globalConfig: unknown, instanceSettingsConfig: unknown) => N8nLoggerLike;
	}>('@n8n/backend-common');
	const winston = requireFromCore<WinstonLike>('winston', backendCommonDir);

	// What n8n reads from N8N_LOG_LEVEL, N8N_LOG_OUTPUT and N8N_LOG_FORMAT; outputs are added below.
	const globalConfig = { logging: { level, outputs: [], format: 'text', scopes: [] } };
	const logger = new Logger(globalConfig, { n8nFolder: process.env.N8N_USER_FOLDER ?? '' });

	const output: N8nLogOutput = {
		printed: [],
		records: [],
		clear() {
			output.printed.length = 0;
			output.records.length = 0;
		},
	};
	const internal = logger.getInternalLogger();
	// n8n's console transport with its own format for this level, into memory.
	internal.add(
		new winston.transports.Stream({
			stream: sink((text) => output.printed.push(...text.replace(/\n$/, '').split('\n'))),
			format: logger.pickConsoleTransportFormat(),
		}),
	);
	internal.add(
		new winston.transports.Stream({
			stream: sink((text) => {
				const {
					level: lineLevel,
					message,
					...meta
				} = JSON.parse(text) as LoggedRecord & Record<string, unknown>;
				output.records.push({ level: lineLevel, message, meta });
			}),
			format: winston.format.json(),
		}),
	);
	Container.set(Logger as never, logger as never);
	return output;
}
