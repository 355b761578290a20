/** Every XML namespace the REST XML carriers and the SOAP envelopes write, named once. */

/** The SOAP services' own namespace: Services86 or Services88. */
export const netServerNs = (version: "86" | "88") =>
  `http://www.superoffice.net/ws/crm/NetServer/Services${version}`;

/** SuperOffice's DataContract types (REST XML carriers, ArrayOfChatPresence). */
export const DATA_CONTRACT_NS = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services";
/** .NET's serialised arrays (`a:int` items of ChatTopics). */
export const ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
export const SERIALIZATION_NS = "http://schemas.microsoft.com/2003/10/Serialization/";
export const CRYPTOGRAPHY_NS =
  "http://schemas.datacontract.org/2004/07/System.Security.Cryptography";
/** XML Schema instance (`nil`) and XML Schema itself. */
export const INSTANCE_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const SCHEMA_NS = "http://www.w3.org/2001/XMLSchema";

/** The SOAP envelope and encoding namespaces, by SOAP version. */
export const SOAP_ENVELOPE_NS = {
  "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
  "1.2": "http://www.w3.org/2003/05/soap-envelope",
} as const;
export const SOAP_ENCODING_NS = {
  "1.1": "http://schemas.xmlsoap.org/soap/encoding/",
  "1.2": "http://www.w3.org/2003/05/soap-encoding",
} as const;
