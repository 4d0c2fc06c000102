import type {
  AccessibilityStatementDto,
  AccessibilityStatementInput,
  AcknowledgementSettingsDto,
  AgentAdminDto,
  CreateAgentInput,
  CreateOrganizationInput,
  CreateRequestTypeInput,
  CreateRoutingRuleInput,
  CreateTeamInput,
  OrganizationSettingsDto,
  OrgMailDto,
  OrgMailSettingsDto,
  OrgMailSettingsInput,
  PlatformAdminDto,
  PlatformOrganizationDto,
  RequestTypeDto,
  RoutingRuleDto,
  TeamAdminDto,
  UpdateAcknowledgementSettingsInput,
  UpdateRequestTypeAcknowledgementInput,
  UpdateAgentInput,
  UpdateOrganizationSettingsInput,
  UpdateRequestTypeInput,
  UpdateRoutingRuleInput,
  UpdateTeamInput,
} from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, platformApi } from '../api/admin';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';

export function useAdminTeams() {
  return useQuery<TeamAdminDto[], ApiError>({
    queryKey: queryKeys.admin.teams(),
    queryFn: ({ signal }) => adminApi.teams(signal),
  });
}

export function useAdminAgents() {
  return useQuery<AgentAdminDto[], ApiError>({
    queryKey: queryKeys.admin.agents(),
    queryFn: ({ signal }) => adminApi.agents(signal),
  });
}

/** The towns of the platform (platform administrators only). */
export function usePlatformOrganizations() {
  return useQuery<PlatformOrganizationDto[], ApiError>({
    queryKey: queryKeys.admin.platformOrganizations(),
    queryFn: ({ signal }) => platformApi.organizations(signal),
  });
}

/** The platform's administrators (platform administrators only). */
export function usePlatformAdmins() {
  return useQuery<PlatformAdminDto[], ApiError>({
    queryKey: queryKeys.admin.platformAdmins(),
    queryFn: ({ signal }) => platformApi.admins(signal),
  });
}

export function useOrganizationSettings() {
  return useQuery<OrganizationSettingsDto, ApiError>({
    queryKey: queryKeys.admin.settings(),
    queryFn: ({ signal }) => adminApi.settings(signal),
  });
}

export function useAcknowledgementSettings() {
  return useQuery<AcknowledgementSettingsDto, ApiError>({
    queryKey: queryKeys.admin.acknowledgements(),
    queryFn: ({ signal }) => adminApi.acknowledgements(signal),
  });
}

export function useMailSettings() {
  return useQuery<OrgMailSettingsDto, ApiError>({
    queryKey: queryKeys.admin.mailSettings(),
    queryFn: ({ signal }) => adminApi.mailSettings(signal),
  });
}

/** The RGAA accessibility statement (« Accessibilité »). */
export function useAccessibilityStatement() {
  return useQuery<AccessibilityStatementDto, ApiError>({
    queryKey: queryKeys.admin.accessibility(),
    queryFn: ({ signal }) => adminApi.accessibilityStatement(signal),
  });
}

export function useOrganizationMails() {
  return useQuery<OrgMailDto[], ApiError>({ queryKey: queryKeys.admin.mails(), queryFn: ({ signal }) => adminApi.mails(signal) });
}

/** Every démarche of the organization, withdrawn ones included (« Démarches »). */
export function useAdminRequestTypes() {
  return useQuery<RequestTypeDto[], ApiError>({
    queryKey: queryKeys.admin.requestTypes(),
    queryFn: ({ signal }) => adminApi.requestTypes(signal),
  });
}

/** The routing rules in the order they are tried (« Routage »). */
export function useRoutingRules() {
  return useQuery<RoutingRuleDto[], ApiError>({
    queryKey: queryKeys.admin.routingRules(),
    queryFn: ({ signal }) => adminApi.routingRules(signal),
  });
}

/** Every administration change refreshes the screens' data and the directory (teams, agents) the inbox uses. */
function useAdminMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation<O, ApiError, I>({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.admin.all() });
      void client.invalidateQueries({ queryKey: queryKeys.teams() });
      void client.invalidateQueries({ queryKey: queryKeys.agents() });
      void client.invalidateQueries({ queryKey: ['request-types'] });
      // An admin who gave up their own role (another admin remaining) sees the screens read-only at once.
      void client.invalidateQueries({ queryKey: queryKeys.me() });
    },
  });
}

export const useCreateTeam = () => useAdminMutation((input: CreateTeamInput) => adminApi.createTeam(input));
export const useUpdateTeam = () =>
  useAdminMutation(({ id, input }: { id: string; input: UpdateTeamInput }) => adminApi.updateTeam(id, input));
export const useCreateOrganization = () =>
  useAdminMutation((input: CreateOrganizationInput) => platformApi.createOrganization(input));
export const useArchiveOrganization = () =>
  useAdminMutation(({ id, archived }: { id: string; archived: boolean }) => platformApi.setArchived(id, archived));
export const useGrantPlatformAdmin = () => useAdminMutation((email: string) => platformApi.grantAdmin(email));
export const useRevokePlatformAdmin = () => useAdminMutation((agentId: string) => platformApi.revokeAdmin(agentId));
export const useInviteAgent = () => useAdminMutation((input: CreateAgentInput) => adminApi.inviteAgent(input));
export const useUpdateAgent = () =>
  useAdminMutation(({ id, input }: { id: string; input: UpdateAgentInput }) => adminApi.updateAgent(id, input));
export const useSendPasswordLink = () => useAdminMutation((id: string) => adminApi.sendPasswordLink(id));
export const useUploadLogo = () => useAdminMutation((file: File) => adminApi.uploadLogo(file));
export const useRemoveLogo = () => useAdminMutation(() => adminApi.removeLogo());
export const useUpdateSettings = () =>
  useAdminMutation((input: UpdateOrganizationSettingsInput) => adminApi.updateSettings(input));
export const useUpdateMailSettings = () => useAdminMutation((input: OrgMailSettingsInput) => adminApi.updateMailSettings(input));
export const useUpdateAccessibilityStatement = () =>
  useAdminMutation((input: AccessibilityStatementInput) => adminApi.updateAccessibilityStatement(input));
export const useUpdateAcknowledgements = () =>
  useAdminMutation((input: UpdateAcknowledgementSettingsInput) => adminApi.updateAcknowledgements(input));
export const useSetTeamAcknowledgements = () =>
  useAdminMutation(({ teamId, enabled }: { teamId: string; enabled: boolean }) =>
    adminApi.setTeamAcknowledgements(teamId, enabled),
  );
export const useSetRequestTypeAcknowledgements = () =>
  useAdminMutation(({ requestTypeId, input }: { requestTypeId: string; input: UpdateRequestTypeAcknowledgementInput }) =>
    adminApi.setRequestTypeAcknowledgements(requestTypeId, input),
  );
export const useCreateRequestType = () => useAdminMutation((input: CreateRequestTypeInput) => adminApi.createRequestType(input));
export const useUpdateRequestType = () =>
  useAdminMutation(({ id, input }: { id: string; input: UpdateRequestTypeInput }) => adminApi.updateRequestType(id, input));
export const useCreateRoutingRule = () => useAdminMutation((input: CreateRoutingRuleInput) => adminApi.createRoutingRule(input));
export const useUpdateRoutingRule = () =>
  useAdminMutation(({ id, input }: { id: string; input: UpdateRoutingRuleInput }) => adminApi.updateRoutingRule(id, input));
export const useRemoveRoutingRule = () => useAdminMutation((id: string) => adminApi.removeRoutingRule(id));
