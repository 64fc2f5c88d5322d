import { createLimiter } from '../../nodes/OctopusX/transport/limit';

describe('createLimiter', () => {
	it('never runs more than its bound at once, and runs everything', async () => {
		const limit = createLimiter(3);
		let running = 0;
		let most = 0;
		const order: number[] = [];
		await Promise.all(
			Array.from({ length: 20 }, async (_, i) =>
				limit(async () => {
					running++;
					most = Math.max(most, running);
					await new Promise((resolve) => setImmediate(resolve));
					// A newcomer arriving while slots are handed over must not squeeze in.
					if (i === 5) void limit(async () => undefined);
					running--;
					order.push(i);
				}),
			),
		);
		expect(most).toBe(3);
		expect(order).toHaveLength(20);
	});

	it('frees the slot when a task throws', async () => {
		const limit = createLimiter(1);
		await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		await expect(limit(async () => 'ok')).resolves.toBe('ok');
	});
});
