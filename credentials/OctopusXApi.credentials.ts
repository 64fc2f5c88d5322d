import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class OctopusXApi implements ICredentialType {
	name = 'octopusXApi';

	displayName = 'OctopusX API';

	icon: Icon = { light: 'file:octopusx.svg', dark: 'file:octopusx.dark.svg' };

	// The provider's API reference: how the key is sent, and the model this node uses.
	documentationUrl = 'https://doc.octopusx.ai/en/videos/omni/omni-fast-v2v';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your OctopusX API key, from your account at <a href="https://octopusx.ai" target="_blank">octopusx.ai</a>. It is sent only to the Base URL below.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://octopusx.ai',
			placeholder: 'e.g. https://octopusx.ai',
			description:
				'Where the OctopusX API answers. Change it only for a gateway in front of OctopusX or for testing.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Listing the models costs nothing and needs a valid key.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/models',
			method: 'GET',
		},
	};
}
