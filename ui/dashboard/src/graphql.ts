// Talking to Palabra: queries over HTTP POST /graphql, subscriptions over graphql-ws.
// The API key, when the server needs one, lives in sessionStorage only.
import { createClient, type Client as WsClient } from "graphql-ws";

const KEY = "palabra.apiKey";
const ENDPOINT = "/graphql";

export type Variables = Record<string, unknown>;

/** One GraphQL error as the server sends it. */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

/** A request the server refused, or that could not be made. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly errors: GraphQLErrorShape[]) {
    super(message);
  }

  /** Whether the server does not know a field asked for (an older schema). */
  get unknownField(): boolean {
    return this.errors.some((e) => e.message.startsWith("Cannot query field"));
  }
}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
  socket?.dispose();
  socket = null;
}

function authorization(): Record<string, string> {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** The `data` of a query's answer; throws ApiError when it carries errors. */
export async function query<T>(document: string, variables: Variables = {}): Promise<T> {
  let answer: Response;
  try {
    answer = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...authorization() },
      body: JSON.stringify({ query: document, variables }),
    });
  } catch {
    throw new ApiError("The server cannot be reached.", "UNAVAILABLE", []);
  }
  let body: { data?: T; errors?: GraphQLErrorShape[]; error?: { code: string; message: string } };
  try {
    body = await answer.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${answer.status}.`, undefined, []);
  }
  if (body.error) throw new ApiError(body.error.message, body.error.code, []);
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.code, body.errors);
  }
  return body.data as T;
}

let socket: WsClient | null = null;

function ws(): WsClient {
  if (!socket) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = createClient({
      url: `${scheme}//${location.host}${ENDPOINT}`,
      connectionParams: () => authorization(),
      lazy: true,
      retryAttempts: 5,
    });
  }
  return socket;
}

/** Follow a subscription; returns the function that stops it. */
export function subscribe<T>(
  document: string,
  variables: Variables,
  next: (data: T) => void,
  failed: (error: ApiError) => void,
): () => void {
  return ws().subscribe<T>(
    { query: document, variables },
    {
      next: (result) => {
        if (result.errors?.length) {
          const first = result.errors[0] as GraphQLErrorShape;
          failed(new ApiError(first.message, first.extensions?.code, result.errors as GraphQLErrorShape[]));
        } else if (result.data) next(result.data as T);
      },
      error: () => failed(new ApiError("The live connection was lost.", "UNAVAILABLE", [])),
      complete: () => undefined,
    },
  );
}
