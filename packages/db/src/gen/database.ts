// Replaced by `npm run db:types` (kysely-codegen) once the schema exists.
export type DB = Record<string, never>
