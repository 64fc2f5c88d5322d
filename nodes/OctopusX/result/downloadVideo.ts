import type { IBinaryData } from 'n8n-workflow';

import { octopusError } from '../transport/apiErrors';
import type { HttpAnswer, OctopusApi } from '../transport';
import { drain, errorContext, isOnApiOrigin, pause, sendOnce } from '../transport';
import type { Failure } from '../transport/retryPolicy';
import { parseRetryAfter, retryDecision } from '../transport/retryPolicy';
import type { TaskStatus } from '../task/taskStatus';

type StreamBody = Parameters<OctopusApi['fn']['helpers']['prepareBinaryData']>[0];

/** A file answer worth keeping: 2xx and not an error page. */
function isVideoAnswer(answer: HttpAnswer): boolean {
	const type = String(answer.headers['content-type'] ?? '').toLowerCase();
	return answer.status >= 200 && answer.status < 300 && !/json|html|xml/.test(type);
}

/**
 * Fetches one URL as a stream, retrying transient failures. Returns the answer, or a short
 * account of why it failed (for the error message).
 */
async function fetchStream(
	api: OctopusApi,
	url: string,
): Promise<{ answer: HttpAnswer } | { failed: string }> {
	for (let attempt = 1; ; attempt++) {
		let failure: Failure;
		let said: string;
		const exchange = await sendOnce(api, {
			method: 'GET',
			url,
			// The key goes to the API's own origin only; a CDN's signed URL needs none.
			authenticated: isOnApiOrigin(api, url),
			stream: true,
			timeoutMs: 120_000,
		});
		if ('failure' in exchange) {
			failure = { type: 'network', code: exchange.failure.code };
			said = exchange.failure.code;
		} else {
			const answer = exchange.answer;
			if (isVideoAnswer(answer)) return { answer };
			drain(answer.body);
			failure = {
				type: 'http',
				status: answer.status,
				retryAfterMs: parseRetryAfter(answer.headers['retry-after'], Date.now()),
			};
			said = `HTTP ${answer.status}${answer.status < 300 ? ` (${String(answer.headers['content-type'])})` : ''}`;
		}
		const decision = retryDecision('download', failure, attempt);
		if (!decision.retry) return { failed: said };
		await pause(api, decision.delayMs);
	}
}

/**
 * Streams the finished video into n8n's binary store (on disk in n8n's default filesystem mode, so a
 * large result never sits whole in memory). The signed `video_url` comes first; when it fails (an
 * expired link, a CDN hiccup), the API's own `/content` route is the fallback.
 */
export async function downloadVideo(
	api: OctopusApi,
	itemIndex: number,
	task: TaskStatus,
): Promise<IBinaryData> {
	const attempts: string[] = [];
	const sources: string[] = [];
	if (task.videoUrl && /^https?:\/\//i.test(task.videoUrl)) sources.push(task.videoUrl);
	sources.push(`${api.baseUrl}/v1/videos/${encodeURIComponent(task.id)}/content`);

	for (const url of sources) {
		const got = await fetchStream(api, url);
		if ('answer' in got) {
			const binary = await api.fn.helpers.prepareBinaryData(
				got.answer.body as StreamBody,
				`${task.id}.mp4`,
				'video/mp4',
			);
			binary.fileName = `${task.id}.mp4`;
			binary.fileExtension = 'mp4';
			return binary;
		}
		attempts.push(`${url === task.videoUrl ? 'video_url' : '/content'}: ${got.failed}`);
	}

	throw octopusError(
		errorContext(api, itemIndex, task.id),
		`Task ${task.id} is done, but its video could not be downloaded (${attempts.join('; ')})`,
		`Nothing is lost: the task finished. Run Get Status with Download on for task ${task.id} later, or open its video_url while it is still valid.`,
	);
}
