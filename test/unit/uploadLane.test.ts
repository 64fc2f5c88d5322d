import { UploadLane } from '../../nodes/OctopusX/transport/uploadLane';

/** Whether `promise` has resolved once every pending continuation has run. */
async function isDone(promise: Promise<void>): Promise<boolean> {
	let done = false;
	void promise.then(() => (done = true));
	for (let i = 0; i < 10; i++) await Promise.resolve();
	return done;
}

const MB = 1e6;

describe('UploadLane', () => {
	let clock = 0;
	const now = () => clock;
	beforeEach(() => (clock = 0));

	it('on a fast link an upload begins once every earlier one is done', async () => {
		const lane = new UploadLane();
		const first = lane.join(now);
		const second = lane.join(now);
		const third = lane.join(now);
		expect(await isDone(first.begin())).toBe(true);
		const secondBegins = second.begin();
		const thirdBegins = third.begin();
		// 8 MB in 100 ms, 80 MB/s: fast.
		clock = 100;
		first.handedOver(8 * MB);
		expect(await isDone(secondBegins)).toBe(false);
		first.leave();
		expect(await isDone(secondBegins)).toBe(true);
		expect(await isDone(thirdBegins)).toBe(false);
		// Leaving twice changes nothing.
		first.leave();
		expect(await isDone(thirdBegins)).toBe(false);
		second.leave();
		expect(await isDone(thirdBegins)).toBe(true);
	});

	it('an upload slower than 20 MB/s once past 250 ms lets every later one begin, for the rest of the run', async () => {
		const lane = new UploadLane();
		const first = lane.join(now);
		const second = lane.join(now);
		await first.begin();
		const secondBegins = second.begin();
		// A slow start is not judged before 250 ms (the sockets' buffers, a pause of the process).
		clock = 200;
		first.handedOver(1 * MB);
		expect(await isDone(secondBegins)).toBe(false);
		// 6 MB in 300 ms is 20 MB/s: not slower.
		clock = 300;
		first.handedOver(6 * MB);
		expect(await isDone(secondBegins)).toBe(false);
		clock = 400;
		first.handedOver(7 * MB);
		expect(await isDone(secondBegins)).toBe(true);
		// From now on uploads go side by side, the first one still running.
		expect(await isDone(lane.join(now).begin())).toBe(true);
	});

	it('an upload that joins after the others left begins at once', async () => {
		const lane = new UploadLane();
		lane.join(now).leave();
		expect(await isDone(lane.join(now).begin())).toBe(true);
	});
});
