/**
 * The SOAP endpoints, /Remote/Services86|88/Chat.svc and SoPrincipal.svc, as one encapsulated
 * Fastify plugin: its own body parser (any content type, as raw bytes) and error handler, so
 * everything that goes wrong here is a SOAP fault and the REST routes are untouched.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { localized, PresenceError } from "../../domain/errors.ts";
import type { Services } from "../../service/services.ts";
import { header } from "../auth/authenticate.ts";
import { netServerNs } from "../codecs/namespaces.ts";
import type { XmlLimits } from "../codecs/xml.ts";
import { requestLanguage, sendError, toPresenceError } from "../errors.ts";
import type { Operations } from "./call.ts";
import { presenceOperations } from "./chat.ts";
import { readEnvelope, type SoapRequest, versionOfContentType } from "./envelope.ts";
import {
  CONTENT_TYPE,
  faultEnvelope,
  faultOf,
  faultStatus,
  SoapFault,
  type SoapVersion,
} from "./fault.ts";
import { messageOperations } from "./messages.ts";
import { principalOperations } from "./principal.ts";
import { sessionOperations } from "./sessions.ts";
import { topicOperations } from "./topics.ts";
import { Vocabulary } from "./writer.ts";
import { type WsdlDocument, wsdlDocument } from "./wsdl.ts";

interface SoapService {
  url: string;
  name: string;
  out: Vocabulary;
  wsdl: WsdlDocument;
  operations: Operations;
}

/** Every operation of Chat.svc (Services88 declares them all; Services86 three of them). */
function chatOperations(services: Services): Operations {
  return {
    ...presenceOperations(services),
    ...topicOperations(services),
    ...sessionOperations(services),
    ...messageOperations(services),
  };
}

function soapServices(services: Services, version: string): SoapService[] {
  const implemented = {
    Chat: chatOperations(services),
    SoPrincipal: principalOperations(services, version),
  };
  return (["86", "88"] as const).flatMap((netServer) =>
    (["Chat", "SoPrincipal"] as const).map((name) => {
      const wsdl = wsdlDocument(`Services${netServer}-${name}.wsdl`);
      // A declared operation without an implementation is a bug: refuse to start, never answer
      // a client "not implemented".
      const missing = [...wsdl.operations].filter((o) => !implemented[name][o]);
      if (missing.length) throw new Error(`${wsdl.file}: no implementation of ${missing}`);
      return {
        url: `/Remote/Services${netServer}/${name}.svc`,
        name: `Services${netServer}/${name}.svc`,
        out: new Vocabulary(name, netServerNs(netServer), netServer, wsdl.types),
        wsdl,
        operations: implemented[name],
      };
    }),
  );
}

export async function soapRoutes(
  app: FastifyInstance,
  {
    services,
    xmlLimits,
    version = "0.0.0",
  }: { services: Services; xmlLimits: XmlLimits; version?: string },
) {
  const { auth } = services;
  const bodyLimit = app.initialConfig.bodyLimit ?? 1024 * 1024;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendFault(request, reply, toFault(error, request, bodyLimit)),
  );

  async function call(
    service: SoapService,
    soap: SoapRequest,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const { version, operation: input } = soap;
    const { out } = service;
    if (input.ns !== out.ns || !service.wsdl.operations.has(input.name)) {
      const operation = input.ns ? `{${input.ns}}${input.name}` : input.name;
      throw new SoapFault(
        "Sender",
        new PresenceError("PRES_ERR_SOAP_OPERATION", { operation, service: service.name }),
        version,
      );
    }
    const operation = service.operations[input.name];
    let headers: string;
    let content: string | Buffer = "";
    try {
      if (auth.options.online) await auth.requireAppToken(soap.applicationToken);
      content = await operation.run({
        input,
        out,
        address: request.ip,
        actor: () =>
          soap.ticket
            ? auth.authenticateTicket(soap.ticket)
            : Promise.reject(
                new PresenceError("PRES_ERR_UNAUTHENTICATED", {
                  detail: localized(
                    "send Credentials/Ticket in the SOAP header",
                    "send Credentials/Ticket i SOAP-headeren",
                  ),
                }),
              ),
      });
      headers = out.successHeader(soap.timeZone);
    } catch (error) {
      if (!(error instanceof PresenceError) || error.status >= 500) throw error;
      const source = `${service.name}/${input.name}`;
      headers = out.failureHeader(error, requestLanguage(request), source, soap.timeZone);
      content = operation.refused?.(out) ?? "";
    }
    const body = out.envelope(version, headers, operation.response, content);
    return reply.type(CONTENT_TYPE[version]).send(body);
  }

  for (const service of soapServices(services, version)) {
    app.post(service.url, async (request, reply) => {
      const contentType = header(request, "content-type");
      let version = versionOfContentType(contentType);
      try {
        const soap = readEnvelope(request.body as Buffer | undefined, contentType, xmlLimits);
        version = soap.version;
        return await call(service, soap, request, reply);
      } catch (error) {
        return sendFault(request, reply, toFault(error, request, bodyLimit), version);
      }
    });
    app.get(service.url, async (request, reply) => {
      const query = Object.keys(request.query as object).map((k) => k.toLowerCase());
      if (!query.includes("wsdl") && !query.includes("singlewsdl")) {
        return reply
          .type("text/plain; charset=utf-8")
          .send(
            `${service.name} is a SOAP endpoint; its WSDL is at ${app.prefix}${service.url}?wsdl\n`,
          );
      }
      // app.prefix: the site's base path, which the plugin is registered under.
      const location = `${request.protocol}://${request.host}${app.prefix}${service.url}`;
      return reply.type("text/xml; charset=utf-8").send(service.wsdl.render(location));
    });
    app.route({
      method: ["PUT", "PATCH", "DELETE"],
      url: service.url,
      handler: (request, reply) => {
        reply.header("allow", "GET, POST");
        const error = new PresenceError("PRES_ERR_METHOD", {
          method: request.method,
          allow: "GET, POST",
        });
        return sendError(request, reply, error, auth.options.online);
      },
    });
  }
}

/** Fastify's own errors (body too large, aborted upload) and anything unexpected, as faults. */
function toFault(error: unknown, request: FastifyRequest, bodyLimit: number): SoapFault {
  if (error instanceof SoapFault) return error;
  const presenceError = toPresenceError(error as FastifyError, request, bodyLimit);
  if (presenceError.status >= 500) request.log.error({ err: error }, "SOAP request failed");
  return faultOf(presenceError);
}

/** In the envelope's version once known, else in the one the content type implies. */
function sendFault(
  request: FastifyRequest,
  reply: FastifyReply,
  fault: SoapFault,
  fallback: SoapVersion = versionOfContentType(header(request, "content-type")),
) {
  const version = fault.version ?? fallback;
  return reply
    .code(faultStatus(version, fault.code))
    .type(CONTENT_TYPE[version])
    .send(faultEnvelope(version, fault, requestLanguage(request)));
}
