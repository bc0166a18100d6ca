SELECT
  1 AS v,
  'ground' AS route,
  topic() AS topic,
  encode(*, 'base64') AS payload,
  timestamp() AS ts,
  clientid() AS clientId,
  get_mqtt_property('content_type') AS contentType,
  get_mqtt_property('format_indicator') AS payloadFormatIndicator,
  get_mqtt_property('response_topic') AS responseTopic,
  get_mqtt_property('correlation_data') AS correlationData,
  get_user_properties() AS userProperties
FROM 'GROUND/v1/#'
WHERE isUndefined(get(get_user_properties('iot-bridge-hop'), 0))
