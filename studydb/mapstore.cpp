// MapStore: the class-activation map cache.

#include "mapstore.h"

#include "studydatabase_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlRecord>
#include <QUuid>
#include <QtEndian>

#include <map>
#include <optional>

namespace ntt {

using namespace dbdetail;

namespace {

/// Binds the six key columns of cam_maps in their order.
template <typename Query> void bindCamKey(Query& q, const MapStore::CamKey& key)
{
    q.bind(key.modelSha256)
        .bind(key.imageSha256)
        .bind(camMethodName(key.options.method))
        .bind(key.options.layer)
        .bind(camTargetName(key.options.target))
        .bind(camNoiseKey(key.options));
}

} // namespace

Result<std::optional<CamMap>> MapStore::camMap(const CamKey& key) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT width, height, target_class, target_negated, map FROM cam_maps "
                             "WHERE model_sha256 = ? AND image_sha256 = ? AND method = ? AND layer = ? AND target = ? "
                             "AND noise = ?"));
    bindCamKey(q, key);
    if (const Status s = q.exec(QStringLiteral("reading a cached class-activation map")); !s)
        return Error { s.error() };
    if (!q.next())
        return std::optional<CamMap> {};
    CamMap map;
    map.width = q.value(0).toInt();
    map.height = q.value(1).toInt();
    map.targetClass = q.value(2).toInt();
    map.targetNegated = q.value(3).toInt() != 0;
    map.layer = key.options.layer;
    map.method = key.options.method;
    const QByteArray blob = q.value(4).toByteArray();
    const std::size_t count = std::size_t(std::max(map.width, 0)) * std::size_t(std::max(map.height, 0));
    if (count == 0 || std::size_t(blob.size()) != count * sizeof(float))
        return Error { QStringLiteral("%1: a cached class-activation map is damaged (%2 bytes for %3 x %4)")
                           .arg(m_c.m_path)
                           .arg(blob.size())
                           .arg(map.width)
                           .arg(map.height) };
    map.values.resize(count);
    for (std::size_t i = 0; i < count; ++i)
        map.values[i] = qFromLittleEndian<float>(blob.constData() + i * sizeof(float));
    return std::optional<CamMap>(std::move(map));
}

Status MapStore::storeCamMap(const CamKey& key, const CamMap& map)
{
    QByteArray blob(qsizetype(map.values.size() * sizeof(float)), Qt::Uninitialized);
    for (std::size_t i = 0; i < map.values.size(); ++i)
        qToLittleEndian<float>(map.values[i], blob.data() + i * sizeof(float));
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("INSERT INTO cam_maps (model_sha256, image_sha256, method, layer, target, noise, width, "
                             "height, target_class, target_negated, map, created_utc) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT (model_sha256, image_sha256, method, layer, target, noise) DO UPDATE SET "
                             "width = excluded.width, height = excluded.height, target_class = excluded.target_class, "
                             "target_negated = excluded.target_negated, map = excluded.map, "
                             "created_utc = excluded.created_utc"));
    bindCamKey(q, key);
    q.bind(map.width).bind(map.height).bind(map.targetClass).bind(map.targetNegated ? 1 : 0).bind(blob).bind(nowUtc());
    return q.exec(QStringLiteral("storing a class-activation map"));
}

Result<int> MapStore::pruneCamMaps()
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("DELETE FROM cam_maps WHERE model_sha256 NOT IN (SELECT sha256 FROM models) "
                             "OR (image_sha256 NOT IN (SELECT sha256 FROM pool_images) "
                             "AND image_sha256 NOT IN (SELECT sha256 FROM stimuli))"));
    if (const Status s = q.exec(QStringLiteral("dropping stale class-activation maps")); !s)
        return Error { s.error() };
    return q.query().numRowsAffected();
}

Result<int> MapStore::camMapCount() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM cam_maps"));
    if (const Status s = q.exec(QStringLiteral("counting class-activation maps")); !s)
        return Error { s.error() };
    return q.next() ? q.value(0).toInt() : 0;
}

} // namespace ntt
