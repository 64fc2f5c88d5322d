import type { IDataObject } from 'n8n-workflow';

export const MODELS = ['omni-fast-v2v', 'omni-fast'] as const;
export const ASPECT_RATIOS = ['16:9', '9:16'] as const;
export const RESOLUTIONS = ['720p', '1080p', '2k', '4k'] as const;
export const VIDEO_FIELDS = ['video', 'video_url', 'input_video'] as const;
export const MIN_SECONDS = 4;
export const MAX_SECONDS = 30;
export const MAX_IMAGES = 5;

/** What the user set, as n8n hands it over (expressions already resolved, so any type may arrive). */
export interface SubmitInput {
	model: unknown;
	prompt: unknown;
	videoSource?: unknown;
	videoUrl?: unknown;
	seconds: unknown;
	aspectRatio: unknown;
	resolution: unknown;
	videoField?: unknown;
	firstImageUrl?: unknown;
	images?: unknown;
}

/** A parameter that cannot be sent as it is: which one, what is wrong, and what to do. */
export class FieldProblem extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly fix: string,
	) {
		super(message);
	}
}

export interface SubmitFields {
	/** The JSON body, without the reference video when it comes from a binary file. */
	fields: IDataObject;
	/** Where the reference video goes in the body; undefined for omni-fast. */
	videoField?: string;
	/** True when the reference video is the input item's binary file (to be inlined as a data URI). */
	fromBinary: boolean;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
	const text = typeof value === 'string' ? value.trim() : value;
	if (typeof text === 'string' && (allowed as readonly string[]).includes(text)) return text as T;
	throw new FieldProblem(
		field,
		`'${field}' is ${JSON.stringify(value)}, which OctopusX does not take`,
		`Use one of: ${allowed.join(', ')}. If the value comes from an expression, check what it resolves to.`,
	);
}

export function checkHttpUrl(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw new FieldProblem(
			field,
			text === ''
				? `'${field}' is empty`
				: `'${field}' is not a public http(s) URL: ${JSON.stringify(text.slice(0, 120))}`,
			url
				? `OctopusX fetches the file itself, so it needs an http:// or https:// address it can reach (not ${url.protocol}). Upload the file somewhere public, or pass it as binary data.`
				: 'Enter a full address such as https://example.com/clip.mp4.',
		);
	}
	return text;
}

function listOfUrls(value: unknown): unknown[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.filter((v) => v !== '' && v !== null && v !== undefined);
	if (typeof value === 'string')
		return value
			.split(/[\n,]/)
			.map((s) => s.trim())
			.filter(Boolean);
	return [value];
}

/** Checks the Submit parameters and builds the request body's fields. Throws FieldProblem on bad input. */
export function buildSubmitFields(input: SubmitInput): SubmitFields {
	const model = oneOf(input.model, MODELS, 'Model');

	const prompt = typeof input.prompt === 'string' ? input.prompt.trim() : '';
	if (prompt === '') {
		throw new FieldProblem(
			'Prompt',
			"'Prompt' is empty",
			'Describe the video to generate, e.g. what to keep from the reference (camera path, motion) and what to change.',
		);
	}

	const seconds =
		typeof input.seconds === 'string' && input.seconds.trim() !== ''
			? Number(input.seconds)
			: input.seconds;
	if (
		typeof seconds !== 'number' ||
		!Number.isInteger(seconds) ||
		seconds < MIN_SECONDS ||
		seconds > MAX_SECONDS
	) {
		throw new FieldProblem(
			'Duration (Seconds)',
			`'Duration (Seconds)' is ${JSON.stringify(input.seconds)}, outside what OctopusX takes`,
			`Use a whole number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS}.`,
		);
	}

	const fields: IDataObject = {
		model,
		prompt,
		seconds: String(seconds),
		aspect_ratio: oneOf(input.aspectRatio, ASPECT_RATIOS, 'Aspect Ratio'),
		resolution: oneOf(input.resolution, RESOLUTIONS, 'Resolution'),
	};

	if (input.firstImageUrl !== undefined && input.firstImageUrl !== '') {
		fields.first_image_url = checkHttpUrl(input.firstImageUrl, 'First Frame Image URL');
	}
	const images = listOfUrls(input.images);
	if (images.length > MAX_IMAGES) {
		throw new FieldProblem(
			'Reference Image URLs',
			`'Reference Image URLs' has ${images.length} images; OctopusX takes at most ${MAX_IMAGES}`,
			`Remove ${images.length - MAX_IMAGES} of them.`,
		);
	}
	if (images.length > 0) {
		fields.images = images.map((url) => checkHttpUrl(url, 'Reference Image URLs'));
	}

	if (model === 'omni-fast') return { fields, fromBinary: false };

	const videoField = oneOf(input.videoField ?? 'video', VIDEO_FIELDS, 'Reference Video Field');
	const source = oneOf(input.videoSource ?? 'binary', ['binary', 'url'] as const, 'Video Source');
	if (source === 'url') {
		fields[videoField] = checkHttpUrl(input.videoUrl, 'Video URL');
		return { fields, videoField, fromBinary: false };
	}
	return { fields, videoField, fromBinary: true };
}
