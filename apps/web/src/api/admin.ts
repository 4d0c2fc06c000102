import type {
  AccessibilityStatementDto,
  AccessibilityStatementInput,
  AcknowledgementSettingsDto,
  AgentAdminDto,
  ChangePasswordInput,
  CreateAgentInput,
  CreateOrganizationInput,
  CreateRequestTypeInput,
  CreateRoutingRuleInput,
  CreateTeamInput,
  DeadlineDigestDto,
  OrganizationSettingsDto,
  OrgMailDto,
  OrgMailSettingsDto,
  OrgMailSettingsInput,
  PlatformAdminDto,
  PlatformOrganizationDto,
  RequestTypeDto,
  RoutingDryRunDto,
  RoutingDryRunInput,
  RoutingRuleDto,
  SetupInput,
  SetupStatusDto,
  TeamAdminDto,
  UpdateAcknowledgementSettingsInput,
  UpdateRequestTypeAcknowledgementInput,
  UpdateAgentInput,
  UpdateOrganizationSettingsInput,
  UpdateRequestTypeInput,
  UpdateRoutingRuleInput,
  UpdateTeamInput,
} from '@guichet/contracts';
import { apiRequest } from './client';

/** First run, the agent's own account, and the administration screens' calls. */
export const setupApi = {
  status: (signal?: AbortSignal) => apiRequest<SetupStatusDto>('/setup', { signal, auth: false }),
  create: (input: SetupInput) =>
    apiRequest<{ organization: { slug: string; name: string }; adminEmail: string }>('/setup', {
      method: 'POST',
      body: input,
      auth: false,
    }),
};

/** The platform administrator's towns (`/platform/organizations`). */
export const platformApi = {
  organizations: (signal?: AbortSignal) => apiRequest<PlatformOrganizationDto[]>('/platform/organizations', { signal }),
  createOrganization: (input: CreateOrganizationInput) =>
    apiRequest<PlatformOrganizationDto>('/platform/organizations', { method: 'POST', body: input }),
  setArchived: (id: string, archived: boolean) =>
    apiRequest<PlatformOrganizationDto>(`/platform/organizations/${id}/${archived ? 'archive' : 'unarchive'}`, {
      method: 'POST',
    }),
  admins: (signal?: AbortSignal) => apiRequest<PlatformAdminDto[]>('/platform/admins', { signal }),
  grantAdmin: (email: string) => apiRequest<PlatformAdminDto[]>('/platform/admins', { method: 'POST', body: { email } }),
  revokeAdmin: (agentId: string) => apiRequest<PlatformAdminDto[]>(`/platform/admins/${agentId}`, { method: 'DELETE' }),
};

export const accountApi = {
  setPassword: (token: string, password: string) =>
    apiRequest<{ email: string }>('/account/password', { method: 'POST', body: { token, password }, auth: false }),
  requestReset: (email: string) => apiRequest<void>('/account/password-reset', { method: 'POST', body: { email }, auth: false }),
  updateProfile: (name: string) => apiRequest<void>('/account', { method: 'PATCH', body: { name } }),
  /** The signed-in agent's own password; their other sessions end, this one stays. */
  changePassword: (input: ChangePasswordInput) => apiRequest<void>('/auth/password', { method: 'POST', body: input }),
  /** A supervisor's deadlines digest: received or not, and at what time. */
  deadlineDigest: (signal?: AbortSignal) => apiRequest<DeadlineDigestDto>('/account/deadline-digest', { signal }),
  setDeadlineDigest: (input: DeadlineDigestDto) =>
    apiRequest<DeadlineDigestDto>('/account/deadline-digest', { method: 'PUT', body: input }),
};

export const adminApi = {
  teams: (signal?: AbortSignal) => apiRequest<TeamAdminDto[]>('/teams/manage', { signal }),
  createTeam: (input: CreateTeamInput) => apiRequest<TeamAdminDto>('/teams', { method: 'POST', body: input }),
  updateTeam: (id: string, input: UpdateTeamInput) => apiRequest<TeamAdminDto>(`/teams/${id}`, { method: 'PATCH', body: input }),
  agents: (signal?: AbortSignal) => apiRequest<AgentAdminDto[]>('/agents/manage', { signal }),
  inviteAgent: (input: CreateAgentInput) => apiRequest<AgentAdminDto>('/agents', { method: 'POST', body: input }),
  updateAgent: (id: string, input: UpdateAgentInput) =>
    apiRequest<AgentAdminDto>(`/agents/${id}`, { method: 'PATCH', body: input }),
  sendPasswordLink: (id: string) => apiRequest<void>(`/agents/${id}/password-link`, { method: 'POST' }),
  settings: (signal?: AbortSignal) => apiRequest<OrganizationSettingsDto>('/organization/settings', { signal }),
  uploadLogo: (file: File) => {
    const form = new FormData();
    form.append('logo', file);
    return apiRequest<OrganizationSettingsDto>('/organization/logo', { method: 'PUT', form });
  },
  removeLogo: () => apiRequest<OrganizationSettingsDto>('/organization/logo', { method: 'DELETE' }),
  updateSettings: (input: UpdateOrganizationSettingsInput) =>
    apiRequest<OrganizationSettingsDto>('/organization/settings', { method: 'PATCH', body: input }),
  mailSettings: (signal?: AbortSignal) => apiRequest<OrgMailSettingsDto>('/organization/mail-settings', { signal }),
  updateMailSettings: (input: OrgMailSettingsInput) =>
    apiRequest<OrgMailSettingsDto>('/organization/mail-settings', { method: 'PUT', body: input }),
  accessibilityStatement: (signal?: AbortSignal) =>
    apiRequest<AccessibilityStatementDto>('/organization/accessibility-statement', { signal }),
  updateAccessibilityStatement: (input: AccessibilityStatementInput) =>
    apiRequest<AccessibilityStatementDto>('/organization/accessibility-statement', { method: 'PUT', body: input }),
  mails: (signal?: AbortSignal) => apiRequest<OrgMailDto[]>('/organization/mails', { signal }),
  acknowledgements: (signal?: AbortSignal) =>
    apiRequest<AcknowledgementSettingsDto>('/organization/acknowledgements', { signal }),
  updateAcknowledgements: (input: UpdateAcknowledgementSettingsInput) =>
    apiRequest<AcknowledgementSettingsDto>('/organization/acknowledgements', { method: 'PUT', body: input }),
  setTeamAcknowledgements: (teamId: string, enabled: boolean) =>
    apiRequest<AcknowledgementSettingsDto>(`/organization/acknowledgements/teams/${teamId}`, {
      method: 'PUT',
      body: { enabled },
    }),
  setRequestTypeAcknowledgements: (requestTypeId: string, input: UpdateRequestTypeAcknowledgementInput) =>
    apiRequest<AcknowledgementSettingsDto>(`/organization/acknowledgements/request-types/${requestTypeId}`, {
      method: 'PUT',
      body: input,
    }),
  /** Every démarche of the organization, the withdrawn ones too. */
  requestTypes: (signal?: AbortSignal) =>
    apiRequest<RequestTypeDto[]>('/request-types', { query: { includeInactive: 'true' }, signal }),
  createRequestType: (input: CreateRequestTypeInput) =>
    apiRequest<RequestTypeDto>('/request-types', { method: 'POST', body: input }),
  updateRequestType: (id: string, input: UpdateRequestTypeInput) =>
    apiRequest<RequestTypeDto>(`/request-types/${id}`, { method: 'PATCH', body: input }),
  routingRules: (signal?: AbortSignal) => apiRequest<RoutingRuleDto[]>('/routing-rules', { signal }),
  createRoutingRule: (input: CreateRoutingRuleInput) =>
    apiRequest<RoutingRuleDto>('/routing-rules', { method: 'POST', body: input }),
  updateRoutingRule: (id: string, input: UpdateRoutingRuleInput) =>
    apiRequest<RoutingRuleDto>(`/routing-rules/${id}`, { method: 'PATCH', body: input }),
  removeRoutingRule: (id: string) => apiRequest<void>(`/routing-rules/${id}`, { method: 'DELETE' }),
  routingDryRun: (input: RoutingDryRunInput) =>
    apiRequest<RoutingDryRunDto>('/routing-rules/dry-run', { method: 'POST', body: input }),
};
