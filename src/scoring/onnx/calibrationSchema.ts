import { z } from 'zod';

const knots = z
  .array(z.tuple([z.number().nonnegative(), z.number().min(1).max(100)]))
  .min(2)
  .refine(
    (list) =>
      list.every(
        (k, i) =>
          i === 0 ||
          (k[0] > (list[i - 1] as [number, number])[0] && k[1] <= (list[i - 1] as [number, number])[1]),
      ),
    {
      message: 'knots must have ascending distances and non-increasing scores',
    },
  );

/**
 * A stored calibration (`calibration.<identity>` in a models manifest). `bands` are
 * optional: calibrations fitted before them, and partners' own, keep working unchanged.
 * Figures are informative and not checked beyond being an object.
 */
export const calibrationSchema = z.object({
  engine: z.string(),
  metric: z.enum(['cosine', 'euclidean']),
  knots,
  bands: z
    .array(
      z.object({
        name: z.string().min(1),
        when: z
          .object({
            faceSizeBelow: z.number().positive().optional(),
            sharpnessBelow: z.number().positive().optional(),
          })
          .refine((w) => w.faceSizeBelow !== undefined || w.sharpnessBelow !== undefined, {
            message: 'a band needs faceSizeBelow or sharpnessBelow',
          }),
        knots,
        figures: z.record(z.string(), z.number()).optional(),
      }),
    )
    .optional(),
  fittedAt: z.string().optional(),
  figures: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
