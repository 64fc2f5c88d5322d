/**
 * A reference video n8n lists on the item but cannot read from its binary store: what a queue-mode
 * worker sees when the main instance kept the uploaded file on its own disk (binary data mode
 * "filesystem"). The run must stop before any request, naming the field, the cause and the fix.
 */
import { expectNoLeak, KEY, mp4Bytes, submit, withSim } from './faults/support';
import { runOctopusX, type InputItem } from './harness';

const onAnotherHost = (fileName: string): InputItem => ({
	binary: {
		data: { bytes: mp4Bytes(8 * 1024), mimeType: 'video/mp4', fileName, storedElsewhere: true },
	},
});
const here = (fileName: string): InputItem => ({
	binary: { data: { bytes: mp4Bytes(8 * 1024), mimeType: 'video/mp4', fileName } },
});

it('names the field, the queue-mode cause and the database-mode fix, and sends nothing', async () => {
	await withSim(async (sim) => {
		const result = await runOctopusX({
			parameters: submit('a rainy night'),
			items: [onAnotherHost('upload.mp4')],
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
		});

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/^The file in Input Binary Field 'data' cannot be read on this n8n instance/,
		);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(result.error?.description).toContain('queue mode');
		expect(result.error?.description).toContain('N8N_DEFAULT_BINARY_DATA_MODE=database');
		expect(result.error?.description).toContain('Nothing was sent to OctopusX');
		expect(sim.requests).toEqual([]);
		expectNoLeak(result, [KEY], sim);
	});
});

it('in a batch, one unreadable file stops the run before the first submit', async () => {
	await withSim(async (sim) => {
		const result = await runOctopusX({
			parameters: submit('a rainy night'),
			items: [here('first.mp4'), onAnotherHost('second.mp4'), here('third.mp4')],
			credentials: { apiKey: KEY, baseUrl: sim.baseUrl },
		});

		expect(result.status).toBe('error');
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(result.error?.description).toContain('N8N_DEFAULT_BINARY_DATA_MODE=database');
		expect(sim.requests).toEqual([]);
	});
});
