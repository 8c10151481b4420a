// Starts GraphiQL on this server's /graphql: queries and mutations over HTTP,
// subscriptions over WebSocket (graphql-transport-ws). The headers typed in
// GraphiQL's Headers tab (e.g. {"Authorization": "Bearer <key>"}) go with both.
(function () {
  "use strict";
  var endpoint = location.origin + "/graphql";
  var socket = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  function headers() {
    try {
      return JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
    } catch (error) {
      return {};
    }
  }
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    wsClient: graphqlWs.createClient({ url: socket, lazy: true, connectionParams: headers }),
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, shouldPersistHeaders: true }));
})();
