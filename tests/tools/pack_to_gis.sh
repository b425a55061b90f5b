#!/bin/sh
# Copyright 2026 gridroute authors.
#
# Turns a gridroute pack (e.g. from gridroute-gen) into the kind of file a
# city's GIS department hands over: one grid layer whose features carry their
# own code and name and their community, street and district codes and names
# as attributes (WGBM, WGMC, SQDM, SQMC, JDDM, JDMC, QDM, QMC), with ogr2ogr
# only (gdal-bin). Used to measure gridroute-import and in IMPORT.md.
#
#   tests/tools/pack_to_gis.sh PACKDIR OUT.(gpkg|shp|geojson) [ogr2ogr options...]
#   tests/tools/pack_to_gis.sh /tmp/city200k /tmp/city200k.gpkg
#   tests/tools/pack_to_gis.sh /tmp/city /tmp/city.shp -t_srs EPSG:4549 -lco ENCODING=GBK
#
# Needs a pack with the generator's three levels (district, street,
# community). The join runs in SQLite inside a scratch GeoPackage.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 PACKDIR OUT.(gpkg|shp|geojson) [ogr2ogr options...]" >&2
  exit 2
fi
pack=$1
out=$2
shift 2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pack_to_gis.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
ogr2ogr -f GPKG "$scratch/s.gpkg" "$pack/grids.geojson" -nln grids
ogr2ogr -update -f GPKG "$scratch/s.gpkg" "$pack/regions.csv" -nln regions
rm -f "$out"
ogr2ogr "$out" "$scratch/s.gpkg" -nln grids -nlt PROMOTE_TO_MULTI -dialect SQLite -sql \
  "SELECT g.geom, g.code AS WGBM, g.name AS WGMC,
          c.code AS SQDM, c.name AS SQMC, s.code AS JDDM, s.name AS JDMC,
          d.code AS QDM, d.name AS QMC
     FROM grids g JOIN regions c ON g.parent = c.code
                  JOIN regions s ON c.parent = s.code
                  JOIN regions d ON s.parent = d.code
    ORDER BY g.fid" "$@"
