/** Checks a `POST /v1/videos` body the way the documented API would, naming the faulty `param`. */
import { apiError, type Answer } from './answers';
import { dataUriMeta, isDataUriSummary } from './datauri';
import type { DataUriSummary } from './types';

export const MODELS = ['omni-fast-v2v', 'omni-fast'] as const;
export const REFERENCE_FIELDS = ['video', 'video_url', 'input_video'] as const;
export const MAX_REFERENCE_BYTES = 15 * 1024 * 1024;
const KNOWN_FIELDS = new Set<string>([
	'model',
	'prompt',
	...REFERENCE_FIELDS,
	'seconds',
	'aspect_ratio',
	'resolution',
	'first_image_url',
	'images',
]);
const ASPECT_RATIOS = ['16:9', '9:16'];
const RESOLUTIONS = ['720p', '1080p', '2k', '4k'];
const MAX_IMAGES = 5;

export interface ValidSubmit {
	model: string;
	prompt: string;
	reference?: { field: string; url?: string; data?: DataUriSummary };
}

const invalid = (message: string, param: string | null, code = 'invalid_value'): Answer =>
	apiError(400, message, code, param);

function isHttpUrl(s: string): boolean {
	try {
		const u = new URL(s);
		return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
	} catch {
		return false;
	}
}

function checkReference(field: string, value: unknown): Answer | ValidSubmit['reference'] {
	if (isDataUriSummary(value)) {
		const meta = dataUriMeta.get(value);
		if (value.mime !== 'video/mp4' || !meta?.base64) {
			return invalid(
				`Invalid '${field}': a data URI reference must be data:video/mp4;base64,... (got ${value.mime || 'no'} type${meta?.base64 ? '' : ', not base64'}).`,
				field,
			);
		}
		if (!meta.valid) return invalid(`Invalid '${field}': the data URI is not valid base64.`, field);
		if (value.bytes === 0)
			return invalid(`Invalid '${field}': the reference video is empty.`, field);
		if (value.bytes > MAX_REFERENCE_BYTES) {
			return apiError(
				413,
				`Reference video must be at most 15MB (got ${value.bytes} bytes after decoding).`,
				'reference_video_too_large',
				field,
			);
		}
		return { field, data: value };
	}
	if (typeof value !== 'string' || value.trim() === '') {
		return invalid(
			`Invalid '${field}': expected a public MP4 URL or a data:video/mp4;base64 URI.`,
			field,
		);
	}
	if (!isHttpUrl(value)) {
		return invalid(
			`Invalid '${field}': '${value.slice(0, 80)}' is not an http(s) URL or a data URI.`,
			field,
		);
	}
	return { field, url: value };
}

/** `body` is the parsed JSON with data URIs already summarised. */
export function validateSubmit(body: unknown): Answer | ValidSubmit {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return invalid('The request body must be a JSON object.', null, 'invalid_json');
	}
	const b = body as Record<string, unknown>;
	for (const key of Object.keys(b)) {
		if (!KNOWN_FIELDS.has(key)) {
			return invalid(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
		}
	}
	if (b.model === undefined) {
		return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
	}
	if (typeof b.model !== 'string' || !(MODELS as readonly string[]).includes(b.model)) {
		return invalid(
			`Invalid model '${String(b.model)}'. Supported models: ${MODELS.join(', ')}.`,
			'model',
			'invalid_model',
		);
	}
	if (b.prompt === undefined) {
		return invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
	}
	if (typeof b.prompt !== 'string' || b.prompt.trim() === '') {
		return invalid("Invalid 'prompt': expected a non-empty string.", 'prompt');
	}

	const given = REFERENCE_FIELDS.filter((f) => b[f] !== undefined && b[f] !== null);
	let reference: ValidSubmit['reference'];
	if (b.model === 'omni-fast') {
		if (given.length > 0) {
			return invalid(
				'omni-fast does not support reference video; V2V must use omni-fast-v2v.',
				given[0],
				'unsupported_parameter',
			);
		}
	} else {
		if (given.length === 0) {
			return invalid(
				'omni-fast-v2v needs a reference video: set one of video, video_url, input_video.',
				'video',
				'missing_required_parameter',
			);
		}
		if (given.length > 1) {
			return invalid(
				`Set only one of video, video_url, input_video (got ${given.join(', ')}).`,
				given[1],
			);
		}
		const checked = checkReference(given[0], b[given[0]]);
		if (checked && 'status' in checked) return checked;
		reference = checked;
	}

	if (b.seconds !== undefined) {
		const s = b.seconds;
		if (typeof s !== 'string' || !/^\d+$/.test(s) || Number(s) < 4 || Number(s) > 30) {
			return invalid(
				`Invalid 'seconds': expected a string holding an integer from 4 to 30, such as "8" (got ${JSON.stringify(s)}).`,
				'seconds',
			);
		}
	}
	if (b.aspect_ratio !== undefined && !ASPECT_RATIOS.includes(b.aspect_ratio as string)) {
		return invalid(
			`Invalid 'aspect_ratio': expected one of ${ASPECT_RATIOS.join(', ')} (got ${JSON.stringify(b.aspect_ratio)}).`,
			'aspect_ratio',
		);
	}
	if (b.resolution !== undefined && !RESOLUTIONS.includes(b.resolution as string)) {
		return invalid(
			`Invalid 'resolution': expected one of ${RESOLUTIONS.join(', ')} (got ${JSON.stringify(b.resolution)}).`,
			'resolution',
		);
	}
	if (b.first_image_url !== undefined && typeof b.first_image_url !== 'string') {
		return invalid("Invalid 'first_image_url': expected a string.", 'first_image_url');
	}
	if (b.images !== undefined) {
		if (
			!Array.isArray(b.images) ||
			b.images.some((i) => typeof i !== 'string' && !isDataUriSummary(i))
		) {
			return invalid("Invalid 'images': expected an array of strings.", 'images');
		}
		if (b.images.length > MAX_IMAGES) {
			return invalid(
				`Invalid 'images': at most ${MAX_IMAGES} images are allowed (got ${b.images.length}).`,
				'images',
			);
		}
	}
	return { model: b.model, prompt: b.prompt, reference };
}
