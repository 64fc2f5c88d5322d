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

	documentationUrl = 'https://github.com/octopusx-community/n8n-nodes-octopusx#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your OctopusX API key. It is sent only to the base URL below.',
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
