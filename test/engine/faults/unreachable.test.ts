import dns from 'node:dns';
import { createServer } from 'node:net';

import { runOctopusX } from '../harness';
import { expectNoLeak, getStatus, KEY, submit, videoItem, waitUntilDone } from './support';

/**
 * A base URL nobody answers on (connection refused) or whose name does not resolve (DNS failure):
 * a clear error naming the base URL, quickly, and nothing sent twice. Names under `.test` are
 * resolved here, by a stand-in for the system resolver, so no DNS query leaves the machine; it
 * also counts the connection attempts, which a refused connection cannot show on a server.
 */
/** Names that resolve to 127.0.0.1, where nothing listens on the chosen port; one per case. */
const REFUSED = /^refused-\w+\.octopusx\.test$/;
const lookups: string[] = [];
const lookupsOf = (host: string) => lookups.filter((h) => h === host);
let closedPort: number;

beforeAll(async () => {
	// A port that was just free: nothing listens there.
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	closedPort = (probe.address() as { port: number }).port;
	await new Promise<void>((resolve) => probe.close(() => resolve()));

	const real = dns.lookup;
	jest.spyOn(dns, 'lookup').mockImplementation(((
		hostname: string,
		options: unknown,
		callback?: (...args: unknown[]) => void,
	) => {
		const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
		if (!hostname.endsWith('.octopusx.test')) {
			return (real as (...args: unknown[]) => void)(hostname, options, callback);
		}
		lookups.push(hostname);
		const all =
			typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
		process.nextTick(() => {
			if (REFUSED.test(hostname)) {
				if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
				else cb(null, '127.0.0.1', 4);
				return;
			}
			cb(
				Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
					code: 'ENOTFOUND',
					errno: -3008,
					syscall: 'getaddrinfo',
					hostname,
				}),
			);
		});
	}) as unknown as typeof dns.lookup);
});

afterAll(() => jest.restoreAllMocks());

const refused = (name: string) => `http://refused-${name}.octopusx.test:${closedPort}`;
const unknown = (name: string) => `http://unknown-${name}.octopusx.test:8080`;
const hostOf = (url: string) => new URL(url).hostname;

async function runAgainst(
	baseUrl: string,
	options: Omit<Parameters<typeof runOctopusX>[0], 'credentials'>,
) {
	const result = await runOctopusX({ ...options, credentials: { apiKey: KEY, baseUrl } });
	expectNoLeak(result, [KEY]);
	return result;
}

describe('connection refused on the base URL', () => {
	test.concurrent(
		'Submit: an error naming the base URL; nothing reached a server, so it may try again',
		async () => {
			const base = refused('submit');
			const result = await runAgainst(base, {
				parameters: submit('a rainy night'),
				items: [videoItem()],
			});

			expect(result.error?.message).toBe(
				`Could not reach the OctopusX API at ${base} (ECONNREFUSED)`,
			);
			expect(result.error?.description).toContain(`Check the Base URL '${base}'`);
			expect(result.error?.description).toContain('Nothing was submitted');
			// A refused connection reached no server: the submit may be tried again, a bounded number of times.
			expect(lookupsOf(hostOf(base))).toHaveLength(3);
		},
	);

	test.concurrent(
		'Wait Until Done: gives up early with an error naming the base URL, not after the whole timeout',
		async () => {
			const base = refused('wait');
			const result = await runAgainst(base, {
				parameters: waitUntilDone({ timeout: 60 }, { taskId: 'video_abc123' }),
			});

			expect(result.error?.message).toBe(
				`Could not reach the OctopusX API at ${base} (ECONNREFUSED) (task video_abc123)`,
			);
			expect(result.error?.description).toContain(`Check the Base URL '${base}'`);
			// Get Status's five attempts, about a poll interval apart, not the 60 s timeout.
			expect(lookupsOf(hostOf(base))).toHaveLength(5);
			expect(result.durationMs).toBeLessThan(8000);
		},
	);
});

describe('DNS failure on the base URL', () => {
	test.concurrent('Submit: an error naming the base URL, sent once', async () => {
		const base = unknown('submit');
		const result = await runAgainst(base, {
			parameters: submit('a rainy night'),
			items: [videoItem()],
		});

		expect(result.error?.message).toBe(`Could not reach the OctopusX API at ${base} (ENOTFOUND)`);
		expect(result.error?.description).toContain(`Check the Base URL '${base}'`);
		expect(lookupsOf(hostOf(base))).toHaveLength(1);
	});

	test.concurrent('Get Status: an error naming the base URL and the task, asked once', async () => {
		const base = unknown('status');
		const result = await runAgainst(base, { parameters: getStatus('video_abc123') });

		expect(result.error?.message).toBe(
			`Could not reach the OctopusX API at ${base} (ENOTFOUND) (task video_abc123)`,
		);
		expect(lookupsOf(hostOf(base))).toHaveLength(1);
	});

	test.concurrent('Wait Until Done: an error naming the base URL at once', async () => {
		const base = unknown('wait');
		const result = await runAgainst(base, {
			parameters: waitUntilDone({ timeout: 60 }, { taskId: 'video_abc123' }),
		});

		expect(result.error?.message).toBe(
			`Could not reach the OctopusX API at ${base} (ENOTFOUND) (task video_abc123)`,
		);
		expect(lookupsOf(hostOf(base))).toHaveLength(1);
		expect(result.durationMs).toBeLessThan(1000);
	});
});
