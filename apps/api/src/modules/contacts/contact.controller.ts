import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { addIdentitySchema, type AddIdentityInput, type ContactDto, type IdentityDto } from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { ContactService } from './contact.service';

@ApiTags('citoyens')
@ApiBearerAuth()
@Controller('contacts')
export class ContactController {
  constructor(private readonly contacts: ContactService) {}

  @Get(':id')
  get(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('citoyen')) id: string): Promise<ContactDto> {
    return this.contacts.get(agent, id);
  }

  @Post(':id/identities')
  @ApiBody({ schema: z.toJSONSchema(addIdentitySchema) as object })
  add(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Body(new ZodPipe(addIdentitySchema)) input: AddIdentityInput,
  ): Promise<IdentityDto[]> {
    return this.contacts.addIdentity(agent, id, input);
  }

  @Delete(':id/identities/:identityId')
  remove(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Param('identityId', new IdPipe('identité')) identityId: string,
  ): Promise<IdentityDto[]> {
    return this.contacts.removeIdentity(agent, id, identityId);
  }
}
