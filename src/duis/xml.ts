/**
 * XML for the DUIS side, through libxml2 (the `libxml2-wasm` build: libxml2 compiled to
 * WebAssembly, no native addon): parsing with line numbers, XML Schema validation against the
 * DUIS schema, and reading elements by XPath. The only file that imports libxml2-wasm. Errors
 * name the document, the line and the element, as libxml2 reports them.
 */
import {
  XmlBufferInputProvider,
  XmlDocument,
  type XmlElement,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';
import { HanotaError } from '../errors/errors.ts';

/** The DUIS namespaces, by the prefixes the DCC's own documents use. */
export const DUIS_NS = {
  sr: 'http://www.dccinterface.co.uk/ServiceUserGateway',
  ra: 'http://www.dccinterface.co.uk/ResponseAndAlert',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** One problem libxml2 found: where, and what. */
export interface XmlIssue {
  readonly line: number;
  /** The element, as an XPath (`/sr:Request/sr:Header/sr:RequestID`), when libxml2 names one. */
  readonly element?: string;
  readonly message: string;
}

/** An XML document that is not well-formed, or not valid against the DUIS schema. */
export class XmlError extends HanotaError {
  readonly issues: readonly XmlIssue[];

  constructor(code: 'XML_MALFORMED' | 'XML_INVALID', document: string, issues: readonly XmlIssue[]) {
    const first = issues[0];
    const where = first
      ? `line ${first.line}${first.element ? `, ${first.element}` : ''}: ${first.message}`
      : '';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(
      code,
      `${document}: ${code === 'XML_MALFORMED' ? 'not well-formed XML' : 'not valid against the DUIS schema'}: ${where}${more}`,
    );
    this.issues = issues;
  }
}

function issuesOf(error: XmlLibError): XmlIssue[] {
  return error.details.map((d) => ({
    line: d.line,
    ...(d.xpath !== undefined && { element: d.xpath }),
    message: d.message.trim(),
  }));
}

/** The schema files, by the names the DUIS schema imports them under. */
export interface DuisSchemaFiles {
  /** `duis-5.4.xsd` (it imports the other two by these names). */
  readonly duis: Uint8Array;
  readonly mmc: Uint8Array;
  readonly xmldsig: Uint8Array;
}

const SCHEMA_BASE = 'hanota-duis-schema/';

/** The DUIS XML Schema, compiled once; validates documents. */
export class DuisSchema {
  readonly #validator: XsdValidator;

  private constructor(validator: XsdValidator) {
    this.#validator = validator;
  }

  /** Compiles the schema (the imports are served from memory: nothing is fetched). */
  static load(files: DuisSchemaFiles): DuisSchema {
    xmlRegisterInputProvider(
      new XmlBufferInputProvider({
        [`${SCHEMA_BASE}duis-5.4.xsd`]: files.duis,
        [`${SCHEMA_BASE}mmc-5.4.xsd`]: files.mmc,
        [`${SCHEMA_BASE}xmldsig-core-schema.xsd`]: files.xmldsig,
      }),
    );
    const doc = parseXml(files.duis, `${SCHEMA_BASE}duis-5.4.xsd`);
    try {
      return new DuisSchema(XsdValidator.fromDoc(doc.raw));
    } catch (error) {
      if (error instanceof XmlLibError) throw new XmlError('XML_INVALID', 'the DUIS schema', issuesOf(error));
      throw error;
    }
  }

  /** The problems of `doc` against the schema, none when it is valid. */
  issues(doc: XmlDoc): XmlIssue[] {
    try {
      this.#validator.validate(doc.raw);
      return [];
    } catch (error) {
      if (error instanceof XmlLibError) return issuesOf(error);
      throw error;
    }
  }

  /** Throws an `XmlError` naming the first problem of `doc`. */
  check(doc: XmlDoc): void {
    const issues = this.issues(doc);
    if (issues.length > 0) throw new XmlError('XML_INVALID', doc.name, issues);
  }
}

/** A parsed XML document, read with XPath over the DUIS namespaces. */
export interface XmlDoc {
  readonly name: string;
  /** The libxml2 document (for this module and the signature module only). */
  readonly raw: XmlDocument;
  /** The text of the first node `xpath` selects, trimmed; undefined when none. */
  text(xpath: string): string | undefined;
  /** The line of the first node `xpath` selects. */
  line(xpath: string): number | undefined;
  /** Whether `xpath` selects something. */
  has(xpath: string): boolean;
  /** The name (with its prefix) of the first element `xpath` selects. */
  elementName(xpath: string): string | undefined;
  /** Frees libxml2's copy of the document. */
  dispose(): void;
  /** The local name of the root element and of its namespace. */
  readonly root: { readonly name: string; readonly namespace: string };
}

/** Parses XML bytes; a document that is not well-formed is an `XmlError` at its line. */
export function parseXml(bytes: Uint8Array, name: string): XmlDoc {
  let raw: XmlDocument;
  try {
    raw = XmlDocument.fromBuffer(bytes, { url: name });
  } catch (error) {
    if (error instanceof XmlLibError) throw new XmlError('XML_MALFORMED', name, issuesOf(error));
    throw error;
  }
  const first = (xpath: string) => raw.get(xpath, DUIS_NS);
  const root = raw.root as XmlElement;
  return {
    name,
    raw,
    text: (xpath) => first(xpath)?.content.trim(),
    line: (xpath) => first(xpath)?.line,
    has: (xpath) => first(xpath) !== null,
    elementName: (xpath) => {
      const node = first(xpath);
      return node && 'prefix' in node
        ? `${(node as XmlElement).prefix ? `${(node as XmlElement).prefix}:` : ''}${(node as XmlElement).name}`
        : undefined;
    },
    dispose: () => raw.dispose(),
    root: { name: root.name, namespace: root.namespaceUri },
  };
}
