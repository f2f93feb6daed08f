import type { ServiceDefinition } from '@grpc/grpc-js'
import { AppError } from '@psa/errors'

const UNDECODABLE = Symbol('undecodable request')

interface Undecodable {
  [UNDECODABLE]: string
}

/**
 * The service definition with request decoders that never throw. grpc-js answers a throwing decoder with
 * INTERNAL; a hostile client can make one throw cheaply (a Struct nested a few thousand levels deep in a
 * 20 KB message overflows the decoder's recursion limit, a truncated field fails it). Such a request reaches the
 * handler as a marker instead, which `assertDecoded` turns into INVALID_ARGUMENT with a stable code.
 */
export function withSafeDecoding<S extends ServiceDefinition>(service: S): S {
  const safe: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(service)) {
    safe[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes)
        } catch (err) {
          const reason = /recursion limit|call stack/i.test(err instanceof Error ? err.message : '')
            ? 'the message nests too deeply (context: at most 32 levels of objects and arrays)'
            : 'the message is not a valid protobuf encoding of the request'
          return { [UNDECODABLE]: reason } satisfies Undecodable
        }
      },
    }
  }
  return safe as S
}

/** Throws VALIDATION_FAILED for a request that `withSafeDecoding` could not decode. */
export function assertDecoded(request: unknown): void {
  if (request !== null && typeof request === 'object' && UNDECODABLE in request) {
    const reason = (request as Undecodable)[UNDECODABLE]
    throw new AppError('VALIDATION_FAILED', `Invalid request: ${reason}`, {
      details: { issues: [{ field: '(request)', message: reason }] },
    })
  }
}
