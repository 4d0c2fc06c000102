import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  CHANNEL_KINDS,
  indicatorsQuerySchema,
  type AgentsReportDto,
  reportQuerySchema,
  type IndicatorsDto,
  type IndicatorsQuery,
  type ReportQuery,
  type ResponseTimesReportDto,
  type SatisfactionReportDto,
  type TelephoneReportDto,
  type VolumesReportDto,
} from '@guichet/contracts';
import type { Response } from 'express';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { ReportsService, type ReportKind } from './reports.service';

const PERIOD_QUERIES = [
  ApiQuery({ name: 'from', required: true, description: 'Premier jour (AAAA-MM-JJ, Europe/Paris)' }),
  ApiQuery({ name: 'to', required: true, description: 'Dernier jour inclus (AAAA-MM-JJ)' }),
  ApiQuery({ name: 'teamId', required: false, description: 'Un service (sinon : tous ceux que vous supervisez)' }),
  ApiQuery({ name: 'channel', required: false, enum: [...CHANNEL_KINDS, 'unknown'], description: 'Le canal d’arrivée' }),
  ApiQuery({ name: 'requestTypeId', required: false, description: 'Une démarche' }),
  ApiQuery({
    name: 'labelId',
    required: false,
    description: 'Les demandes portant cette étiquette (les appels n’en portent pas : téléphone à 0)',
  }),
  ApiQuery({ name: 'granularity', required: false, enum: ['day', 'week', 'month'] }),
  ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] }),
  ApiQuery({ name: 'table', required: false, description: 'Avec format=csv : le tableau à exporter' }),
];
const withPeriod = (): MethodDecorator => (target, key, d) => {
  for (const q of PERIOD_QUERIES) q(target, key, d);
};

type AnyReport = VolumesReportDto | ResponseTimesReportDto | TelephoneReportDto | SatisfactionReportDto | AgentsReportDto;

/** A CSV download named `name`.csv. */
export function attachment(res: Response, name: string): void {
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
}

/**
 * Reports read from the daily aggregates (issue 15). JSON by default; `format=csv` exports one of
 * the report's tables (`table`), separated by `;` for French spreadsheets.
 */
@ApiTags('rapports')
@ApiBearerAuth()
@Roles('admin', 'supervisor')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  private async answer(
    agent: AuthAgent,
    kind: ReportKind,
    q: ReportQuery,
    res: Response,
    dto: Promise<AnyReport>,
  ): Promise<AnyReport | string | StreamableFile> {
    const report = await dto;
    if (q.format === 'xlsx') {
      const book = await this.reports.xlsx(agent, kind, q, report);
      return new StreamableFile(book, {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        disposition: `attachment; filename="${kind}-${q.from}-${q.to}.xlsx"`,
        length: book.length,
      });
    }
    if (q.format !== 'csv') return report;
    attachment(res, `${kind}-${q.from}-${q.to}${q.table ? `-${q.table}` : ''}`);
    return this.reports.csv(kind, report, q.table);
  }

  @Get('volumes')
  @ApiOperation({ summary: 'Demandes créées, réouvertes, résolues par période, canal, service et démarche' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @withPeriod()
  volumes(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(reportQuerySchema)) q: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnyReport | string | StreamableFile> {
    return this.answer(agent, 'volumes', q, res, this.reports.volumes(agent, q));
  }

  @Get('response-times')
  @ApiOperation({ summary: 'Délais de première réponse et de résolution (médiane, 90e centile), part dans l’objectif' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @withPeriod()
  responseTimes(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(reportQuerySchema)) q: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnyReport | string | StreamableFile> {
    return this.answer(agent, 'response-times', q, res, this.reports.responseTimes(agent, q));
  }

  @Get('telephone')
  @ApiOperation({ summary: 'Appels reçus, décrochés, manqués, rappelés ; taux de décroché (Services Publics+)' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @withPeriod()
  telephone(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(reportQuerySchema)) q: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnyReport | string | StreamableFile> {
    return this.answer(agent, 'telephone', q, res, this.reports.telephone(agent, q));
  }

  @Get('satisfaction')
  @ApiOperation({ summary: 'Satisfaction : moyenne, répartition des notes 0–10, part des notes ≥ 8' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @withPeriod()
  satisfaction(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(reportQuerySchema)) q: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnyReport | string | StreamableFile> {
    return this.answer(agent, 'satisfaction', q, res, this.reports.satisfaction(agent, q));
  }

  @Get('agents')
  @ApiOperation({
    summary:
      'Charge de travail par agent (ordre alphabétique, pas un classement) : demandes traitées, premières réponses et leur délai médian, charge par période',
    description:
      'Les agents des services que vous supervisez (tous pour un administrateur). Seuls la période et le service filtrent : ' +
      'les chiffres par agent ne sont pas ventilés par canal, démarche ou étiquette.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @withPeriod()
  agents(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(reportQuerySchema)) q: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnyReport | string | StreamableFile> {
    return this.answer(agent, 'agents', q, res, this.reports.agents(agent, q));
  }

  /**
   * Open data (Services Publics+ engagement 6): the indicators of a year or a quarter per service,
   * without personal data; counts below 5 and what is computed from them are null.
   */
  @Get('indicators')
  @ApiOperation({ summary: 'Indicateurs Services Publics+ par service (données ouvertes, CSV ou JSON)' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'year', required: true })
  @ApiQuery({ name: 'quarter', required: false, enum: [1, 2, 3, 4] })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async indicators(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(indicatorsQuerySchema)) q: IndicatorsQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IndicatorsDto | string> {
    const dto = await this.reports.indicators(agent, q);
    if (q.format !== 'csv') return dto;
    attachment(res, `indicateurs-${q.year}${q.quarter ? `-T${q.quarter}` : ''}`);
    return this.reports.indicatorsCsv(dto);
  }
}
