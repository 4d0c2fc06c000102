import { Body, Controller, Delete, Get, Patch, Put, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  accessibilityStatementSchema,
  LIMITS,
  organizationSettingsSchema,
  orgMailSettingsSchema,
  type AccessibilityStatement,
  type AccessibilityStatementDto,
  type OrganizationSettingsDto,
  type OrgMailDto,
  type OrgMailSettingsDto,
  type OrgMailSettingsInput,
  type UpdateOrganizationSettingsInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { OrganizationSettingsService, type LogoUpload } from './organization-settings.service';

/** The organization's settings: admins change them, supervisors read them. */
@ApiTags('administration')
@ApiBearerAuth()
@Controller('organization')
export class OrganizationController {
  constructor(private readonly settings: OrganizationSettingsService) {}

  /** Identity, opening hours per weekday, closures, public holidays (computed), signature, legal footer. */
  @Roles('admin', 'supervisor')
  @Get('settings')
  get(@CurrentAgent() agent: AuthAgent): Promise<OrganizationSettingsDto> {
    return this.settings.get(agent.organizationId);
  }

  @Roles('admin')
  @Patch('settings')
  @ApiBody({ schema: z.toJSONSchema(organizationSettingsSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(organizationSettingsSchema)) input: UpdateOrganizationSettingsInput,
  ): Promise<OrganizationSettingsDto> {
    return this.settings.update(admin, input);
  }

  /**
   * The logo (multipart/form-data, field `logo`): PNG, JPEG or WebP of 512 KiB at most, checked
   * by its bytes; shown on the citizen pages and in the agents' header.
   */
  @Roles('admin')
  @Put('logo')
  @UseInterceptors(FileInterceptor('logo', { limits: { fileSize: LIMITS.attachmentBytes, files: 1, fields: 0 } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { logo: { type: 'string', format: 'binary' } } } })
  setLogo(@CurrentAgent() admin: AuthAgent, @UploadedFile() file: LogoUpload | undefined): Promise<OrganizationSettingsDto> {
    return this.settings.setLogo(admin, file);
  }

  @Roles('admin')
  @Delete('logo')
  removeLogo(@CurrentAgent() admin: AuthAgent): Promise<OrganizationSettingsDto> {
    return this.settings.removeLogo(admin);
  }

  /** Outgoing mail of the organization itself; the SMTP password is write-only (`passwordSet`). */
  @Roles('admin')
  @Get('mail-settings')
  mailSettings(@CurrentAgent() admin: AuthAgent): Promise<OrgMailSettingsDto> {
    return this.settings.mailSettings(admin.organizationId);
  }

  @Roles('admin')
  @Put('mail-settings')
  @ApiBody({ schema: z.toJSONSchema(orgMailSettingsSchema, { io: 'input' }) as object })
  updateMailSettings(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(orgMailSettingsSchema)) input: OrgMailSettingsInput,
  ): Promise<OrgMailSettingsDto> {
    return this.settings.updateMailSettings(admin, input);
  }

  /** The RGAA accessibility statement shown at `/accessibilite/:slug` (null: « non conforme », no audit). */
  @Roles('admin', 'supervisor')
  @Get('accessibility-statement')
  accessibilityStatement(@CurrentAgent() agent: AuthAgent): Promise<AccessibilityStatementDto> {
    return this.settings.accessibilityStatement(agent.organizationId);
  }

  @Roles('admin')
  @Put('accessibility-statement')
  @ApiBody({ schema: z.toJSONSchema(accessibilityStatementSchema, { io: 'input' }) as object })
  updateAccessibilityStatement(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(accessibilityStatementSchema)) input: AccessibilityStatement,
  ): Promise<AccessibilityStatementDto> {
    return this.settings.updateAccessibilityStatement(admin, input);
  }

  /** The last mails the organization sent (invitations, resets); the text of those only printed to the log. */
  @Roles('admin')
  @Get('mails')
  mails(@CurrentAgent() admin: AuthAgent): Promise<OrgMailDto[]> {
    return this.settings.mails(admin.organizationId);
  }
}
