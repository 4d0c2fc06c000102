import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  indicatorsQuerySchema,
  INDICATORS_TABLE_SCHEMA,
  type IndicatorsDto,
  type IndicatorsQuery,
  type OpenDataCatalogDto,
} from '@guichet/contracts';
import type { Response } from 'express';
import { Public } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { attachment } from './reports.controller';
import { ReportsService } from './reports.service';

/** Anyone may read and reuse open data, from any site: cached an hour, readable cross-origin. */
function openHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * The open data an organization chose to publish (issue 15, Services Publics+ engagement 6), with
 * no login: a catalogue of the closed periods, each as CSV and JSON, and the Table Schema they follow.
 * Aggregates only, small counts withheld (open-data-secrecy.ts).
 */
@ApiTags('données ouvertes')
@Public()
@Controller('public')
export class OpenDataController {
  constructor(private readonly reports: ReportsService) {}

  @Get('open-data/indicateurs.schema.json')
  @ApiOperation({ summary: 'Schéma (Table Schema) des fichiers d’indicateurs' })
  schema(@Res({ passthrough: true }) res: Response): typeof INDICATORS_TABLE_SCHEMA {
    openHeaders(res);
    return INDICATORS_TABLE_SCHEMA;
  }

  @Get('organizations/:slug/open-data')
  @ApiOperation({ summary: 'Catalogue des indicateurs publiés par l’organisation (périodes terminées)' })
  async catalog(@Param('slug') slug: string, @Res({ passthrough: true }) res: Response): Promise<OpenDataCatalogDto> {
    const dto = await this.reports.openDataCatalog(slug);
    openHeaders(res);
    return dto;
  }

  @Get('organizations/:slug/open-data/indicateurs')
  @ApiOperation({ summary: 'Indicateurs Services Publics+ publiés, par service (CSV ou JSON)' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'year', required: true })
  @ApiQuery({ name: 'quarter', required: false, enum: [1, 2, 3, 4] })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async indicators(
    @Param('slug') slug: string,
    @Query(new ZodPipe(indicatorsQuerySchema)) q: IndicatorsQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IndicatorsDto | string> {
    const dto = await this.reports.publicIndicators(slug, q);
    openHeaders(res);
    if (q.format !== 'csv') return dto;
    attachment(res, `indicateurs-${q.year}${q.quarter ? `-T${q.quarter}` : ''}`);
    return this.reports.indicatorsCsv(dto);
  }
}
