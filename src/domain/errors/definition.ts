/** The shape of one registry entry; each area file of this folder is a record of them. */
export interface ErrorDefinition {
  status: number;
  /** The .NET-style exception name SuperOffice clients see in ErrorType / ExceptionType. */
  type: string;
  en: string;
  nb: string;
}
