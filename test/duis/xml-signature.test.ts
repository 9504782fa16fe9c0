/**
 * XML-DSig on DUIS documents (src/duis/xml-signature.ts). Known answer: the DCC's own signed
 * response in DCC Boxed's test data (`ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML`, signed with the
 * DCC's test key 90b3d51f30000002) verifies with that key's certificate, and with no other.
 * Independent check: a request hanota signs with the test supplier's key verifies with xmlsec1
 * (Debian's, over libxml2 and OpenSSL) and validates against the DUIS schema with xmllint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readP256Key } from '../../src/crypto/keys.ts';
import { checkDuisSignature, signDuisDocument } from '../../src/duis/xml-signature.ts';
import { describeWithVectors, vectorPath } from '../helpers/vectors.ts';
import { systemTool } from '../helpers/xml-tools.ts';
import { SCHEMA_DIR, TEMPLATES_DIR } from './helpers.ts';

const key = (file: string) => readP256Key(readFileSync(vectorPath(`gbcs/keys/${file}`), 'utf8'));
const text = (file: string) => readFileSync(join(TEMPLATES_DIR, file), 'utf8');
describeWithVectors('XML signatures on DUIS documents', () => {
  const dcc = key('90b3d51f30000002-ds.pem').publicKey;
  const supplier = key('90b3d51f30010000-ds.key');
  const response = text('ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML');

  it("verifies the DCC's own signed response with the DCC's certificate", () => {
    expect(checkDuisSignature(response, dcc)).toEqual({ status: 'valid' });
  });

  it('refuses it with another certificate, and once a byte of its content changes', () => {
    expect(checkDuisSignature(response, supplier.publicKey)).toEqual({
      status: 'invalid',
      reason: 'the signature does not verify',
    });
    expect(checkDuisSignature(response.replace('>I0<', '>I99<'), dcc)).toEqual({
      status: 'invalid',
      reason: 'the signature does not verify',
    });
  });

  it('says a document without a signature is unsigned', () => {
    const unsigned = text('CS08_11.2_SUCCESS_REQUEST_DUIS.XML').replace(
      /\s*<ds:Signature[\s\S]*<\/ds:Signature>/,
      '',
    );
    expect(checkDuisSignature(unsigned, dcc)).toEqual({ status: 'unsigned' });
  });

  it("refuses the templates' placeholder signatures", () => {
    expect(checkDuisSignature(text('CS08_11.2_SUCCESS_REQUEST_DUIS.XML'), supplier.publicKey).status).toBe(
      'invalid',
    );
  });

  it('signs a request as a supplier would: it verifies here, with xmlsec1, and stays schema-valid (xmllint)', () => {
    const unsigned = text('CS08_11.2_SUCCESS_REQUEST_DUIS.XML').replace(
      /\s*<ds:Signature[\s\S]*<\/ds:Signature>/,
      '',
    );
    const signed = signDuisDocument(unsigned, {
      privateKey: supplier.privateKey as Uint8Array,
      issuerName: 'CN=Z1,OU=07',
      serialNumber: '1234567890',
    });
    expect(checkDuisSignature(signed, supplier.publicKey)).toEqual({ status: 'valid' });
    expect(
      signDuisDocument(unsigned, {
        privateKey: supplier.privateKey as Uint8Array,
        issuerName: 'CN=Z1,OU=07',
        serialNumber: '1234567890',
      }),
    ).toBe(signed);
    const dir = mkdtempSync(join(tmpdir(), 'hanota-dsig-'));
    const file = join(dir, 'signed.xml');
    writeFileSync(file, signed);
    const xmlsec = systemTool('xmlsec1');
    if (xmlsec) {
      const out = execFileSync(
        xmlsec,
        ['--verify', '--pubkey-cert-pem', vectorPath('gbcs/keys/90b3d51f30010000-ds.pem'), file],
        { encoding: 'utf8', stdio: 'pipe' },
      );
      expect(out).toBe('');
      writeFileSync(join(dir, 'tampered.xml'), signed.replace('>1<', '>4<'));
      expect(() =>
        execFileSync(
          xmlsec,
          [
            '--verify',
            '--pubkey-cert-pem',
            vectorPath('gbcs/keys/90b3d51f30010000-ds.pem'),
            join(dir, 'tampered.xml'),
          ],
          { stdio: 'pipe' },
        ),
      ).toThrow();
    }
    const xmllint = systemTool('xmllint');
    if (xmllint)
      execFileSync(xmllint, ['--noout', '--nonet', '--schema', join(SCHEMA_DIR, 'duis-5.4.xsd'), file], {
        stdio: 'pipe',
      });
  });
});
