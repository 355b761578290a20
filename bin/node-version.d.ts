export declare const SUPPORTED_NODE: string;
export declare function unsupportedNode(version: string): string | null;
