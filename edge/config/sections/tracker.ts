// Config of the tracking core (edge/track).
import { z } from 'zod';

export const trackerSection = z.object({}).passthrough();
