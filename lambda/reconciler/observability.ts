import { Logger } from '@aws-lambda-powertools/logger';

export const SERVICE_NAME = 'deep-inspection-reconciler';

/** The one logger of the function; structured JSON, level from POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({ serviceName: SERVICE_NAME });
