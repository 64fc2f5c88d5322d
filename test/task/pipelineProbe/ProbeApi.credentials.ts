import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The node's credential as `transport/index.ts` reads it (name `octopusXApi`: an API key sent as a
 * Bearer header, and a Base URL). Its own copy: n8n's loader refuses a credential file whose icon
 * lies outside the package directory, as the real one's would from here.
 */
export class ProbeApi implements ICredentialType {
	name = 'octopusXApi';

	displayName = 'OctopusX API (probe)';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
}
