import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createLabelSchema,
  updateLabelSchema,
  type CreateLabelInput,
  type LabelDto,
  type UpdateLabelInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { LabelService } from './label.service';

@ApiTags('étiquettes')
@ApiBearerAuth()
@Controller('labels')
export class LabelController {
  constructor(private readonly labels: LabelService) {}

  /** The organization's labels, by name (any agent: they set them on files). */
  @Get()
  list(@CurrentAgent() agent: AuthAgent): Promise<LabelDto[]> {
    return this.labels.list(agent);
  }

  @Post()
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(createLabelSchema, { io: 'input' }) as object })
  create(@CurrentAgent() agent: AuthAgent, @Body(new ZodPipe(createLabelSchema)) input: CreateLabelInput): Promise<LabelDto> {
    return this.labels.create(agent, input);
  }

  @Patch(':id')
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(updateLabelSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('étiquette')) id: string,
    @Body(new ZodPipe(updateLabelSchema)) input: UpdateLabelInput,
  ): Promise<LabelDto> {
    return this.labels.update(agent, id, input);
  }

  /** Removes the label from the organization and from every file that carried it. */
  @Delete(':id')
  @Roles('admin', 'supervisor')
  @HttpCode(204)
  async remove(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('étiquette')) id: string): Promise<void> {
    await this.labels.remove(agent, id);
  }
}
