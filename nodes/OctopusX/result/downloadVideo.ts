import type { IBinaryData } from 'n8n-workflow';

import { octopusError } from '../transport/apiErrors';
import type { HttpAnswer, OctopusApi } from '../transport';
import { errorContext, isOnApiOrigin, outcomeOf, pause, sendOnce } from '../transport';
import { judge } from '../transport/judgement';
import type { TaskStatus } from '../task/taskStatus';

type StreamBody = Parameters<OctopusApi['fn']['helpers']['prepareBinaryData']>[0];

/** A file answer worth keeping: not an error page. */
function isVideo(answer: HttpAnswer): boolean {
	return !/json|html|xml/.test(String(answer.headers['content-type'] ?? '').toLowerCase());
}

/**
 * Fetches one URL as a stream, asking again as judgement.ts says. Returns the answer, or a short
 * account of why it failed (for the error message).
 */
async function fetchStream(
	api: OctopusApi,
	url: string,
): Promise<{ answer: HttpAnswer } | { failed: string }> {
	for (let attempt = 1; ; attempt++) {
		const exchange = await sendOnce(api, {
			method: 'GET',
			url,
			// The key goes to the API's own origin only; a CDN's signed URL needs none.
			authenticated: isOnApiOrigin(api, url),
			stream: true,
			timeoutMs: 120_000,
		});
		const verdict = judge('download', outcomeOf(exchange, isVideo), { attempt });
		if ('answer' in exchange) {
			if (verdict.act === 'accept') return { answer: exchange.answer };
			// Not kept: close it, so its socket is freed.
			(exchange.answer.body as { destroy?: () => void } | undefined)?.destroy?.();
		}
		if (verdict.act === 'fail') {
			if ('failure' in exchange) return { failed: exchange.failure.code };
			const { status, headers } = exchange.answer;
			return {
				failed: `HTTP ${status}${status < 300 ? ` (${String(headers['content-type'])})` : ''}`,
			};
		}
		if (verdict.act === 'again') await pause(api, verdict.delayMs);
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
