import { describe, expect, it } from 'vitest'
import { mergeIdenticalIoSchemas } from './merge-io-schemas.js'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

describe('mergeIdenticalIoSchemas', () => {
  it('merges twins of the same TypeScript type, also when they refer to each other recursively, and keeps twins that differ', () => {
    const document = {
      paths: {
        '/a': { post: { requestBody: ref('NodeInput'), responses: { 200: ref('Node') } } },
        '/b': { post: { requestBody: ref('PageInput'), responses: { 200: ref('Page') } } },
      },
      components: {
        schemas: {
          Node: {
            type: 'object',
            additionalProperties: false,
            properties: { children: { type: 'array', items: ref('Node') } },
          },
          NodeInput: { type: 'object', properties: { children: { type: 'array', items: ref('NodeInput') } } },
          // Differs: a default makes the input's `size` optional.
          Page: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } },
          PageInput: { type: 'object', properties: { size: { type: 'integer', default: 20 } } },
          // An "Input" with no twin is an ordinary schema.
          UserInput: { type: 'string' },
        },
      },
    }
    const merged = mergeIdenticalIoSchemas(document)
    expect(Object.keys(merged.components.schemas).sort()).toEqual(['Node', 'Page', 'PageInput', 'UserInput'])
    expect(merged.paths['/a'].post.requestBody).toEqual(ref('Node'))
    expect(merged.paths['/b'].post.requestBody).toEqual(ref('PageInput'))
    expect(merged.components.schemas.Node.properties.children.items).toEqual(ref('Node'))
    expect(document.components.schemas).toHaveProperty('NodeInput') // the input is not mutated
  })

  it('keeps a twin whose only difference is a reference to a twin that differs', () => {
    const document = {
      components: {
        schemas: {
          Page: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } },
          PageInput: { type: 'object', properties: { size: { type: 'integer', default: 20 } } },
          List: { type: 'object', properties: { page: ref('Page') } },
          ListInput: { type: 'object', properties: { page: ref('PageInput') } },
        },
      },
    }
    expect(Object.keys(mergeIdenticalIoSchemas(document).components.schemas).sort()).toEqual([
      'List',
      'ListInput',
      'Page',
      'PageInput',
    ])
  })
})
